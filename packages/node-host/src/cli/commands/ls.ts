/**
 * `cairn ls`: the files this user added, from the history (`owned.ts`), with
 * the copies of each file's root live hosts hold now (asked of every storing
 * host the mesh knows; `?` when the mesh cannot be reached).
 */
import { parseBlockId, parseLink } from '@cairn/core'
import type { TargetOptions } from '../client.js'
import { formatSize } from '../../config/index.js'
import { interruptSignal } from '../interrupt.js'
import { connectFirst, linkCandidates } from '../mesh-candidates.js'
import { readOwned, type OwnedFile } from '../owned.js'
import { logLine, printJson, printLine } from '../output.js'
import { replicasNow } from '../replicas-now.js'

export interface LsOptions extends TargetOptions {
  json?: boolean
  owned: string
}

export async function lsCommand (options: LsOptions): Promise<void> {
  const files = await readOwned(options.owned)
  const counts = files.length === 0 ? [] : await countReplicas(files, options)
  files.forEach((file, i) => {
    const replicas = counts[i] ?? null
    if (options.json === true) {
      printJson({ name: file.name, size: file.size, root: file.root, link: file.link, expires: file.expires ?? null, replicas, target: file.replicas, added: file.added })
    } else {
      const expiry = file.expires === undefined ? 'never expires' : `expires ${file.expires}`
      printLine(`${file.name}  ${formatSize(file.size)}  ${replicas ?? '?'}/${file.replicas} copies  ${expiry}  ${file.link}`)
    }
  })
}

/** Copies of each file's root now, or [] (all unknown) when no mesh answers. */
async function countReplicas (files: OwnedFile[], options: LsOptions): Promise<Array<number | null>> {
  const signal = interruptSignal()
  let client
  try {
    client = await connectFirst(await linkCandidates(options, parseLink(files.at(-1)!.link)), { signal, notice: line => logLine(`cairn: ${line}`) })
  } catch (err) {
    logLine(`cairn: warning: cannot count copies: ${err instanceof Error ? err.message : String(err)}`)
    return []
  }
  try {
    return await replicasNow(client, files.map(f => parseBlockId(f.root)), signal)
  } finally {
    await client.close()
  }
}
