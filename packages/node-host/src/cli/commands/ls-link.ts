/**
 * `cairn ls LINK`: list a folder (or the directory a `LINK/path` names) from
 * the mesh: one line per entry, `SIZE  PATH` (`-` and a trailing `/` for a
 * directory); `-R` walks the whole tree. `--json` prints one line per entry
 * with the entry's own link. Kept apart from `cairn ls` without a link (the
 * user's own shares), which is another command's concern.
 */
import { formatLink, formatWebLink, NotAFolderError, openFile, listFolder, walkFolder, type FolderEntry, type WalkedEntry } from '@cairn/core'
import type { TargetOptions } from '../client.js'
import { folderTarget } from '../folder-get.js'
import { interruptSignal } from '../interrupt.js'
import { parseLinkArg } from '../link-arg.js'
import { connectFirst, linkCandidates } from '../mesh-candidates.js'
import { logLine, printJson, printLine } from '../output.js'
import { DEFAULT_STALL_TIMEOUT, retryStalls } from '../stall-retry.js'

export interface LsLinkOptions extends TargetOptions {
  recursive?: boolean
  json?: boolean
}

/** Width of the size column. */
const SIZE_WIDTH = 14

async function * oneLevel (entries: AsyncIterable<FolderEntry>): AsyncGenerator<WalkedEntry> {
  for await (const entry of entries) yield { path: [entry.name], entry }
}

export async function lsLinkCommand (text: string, options: LsLinkOptions): Promise<void> {
  const link = parseLinkArg(text)
  const signal = interruptSignal()
  const client = await connectFirst(await linkCandidates(options, link), { signal, notice: line => logLine(`cairn: ${line}`) })
  try {
    const source = client.mesh.blockSource()
    const init = { client, signal, timeout: DEFAULT_STALL_TIMEOUT, progress: () => 0 }
    const opened = await retryStalls(async () => await openFile(link, source, { signal }), init)
    const target = await folderTarget(opened, link, source, client, { signal, timeout: DEFAULT_STALL_TIMEOUT })
    if (target.kind === 'file' && link.path === undefined) throw new NotAFolderError(`the link names a file (${opened.name}), not a folder: cairn get fetches it`)
    const { origin, token } = client.target
    const show = (path: readonly string[], entry: FolderEntry): void => {
      const own = formatWebLink(origin, token, formatLink(entry.root, entry.key))
      if (options.json === true) {
        printJson(entry.kind === 'file'
          ? { path: path.join('/'), kind: 'file', size: entry.size, mtime: entry.mtime, type: entry.type, link: own }
          : { path: path.join('/'), kind: 'dir', mtime: entry.mtime, link: own })
      } else {
        const size = entry.kind === 'file' ? String(entry.size) : '-'
        printLine(`${size.padStart(SIZE_WIDTH)}  ${printable(path.join('/'))}${entry.kind === 'dir' ? '/' : ''}`)
      }
    }
    if (target.kind === 'file') {
      const { file, key } = target
      show([file.name], { name: file.name, kind: 'file', size: file.size, mtime: file.mtime, type: file.type, root: file.root, key })
      return
    }
    const entries = options.recursive === true ? walkFolder(target.folder, source, { signal }) : oneLevel(listFolder(target.folder, source, { signal }))
    for await (const { path, entry } of entries) show(path, entry)
  } finally {
    await client.close()
  }
}

/** Names are validated (no control characters), but a terminal should see nothing it could act on even so. */
function printable (text: string): string {
  return text.replace(/[\x00-\x1f\x7f-\x9f]/g, '?')
}
