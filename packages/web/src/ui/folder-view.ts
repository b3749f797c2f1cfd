/**
 * An opened folder: a listing of one directory at a time (names and sizes,
 * subfolders to step into, a path to step back), each file opened on its own
 * (download, preview, share link: as any file) through `showFile`, and the
 * directory shown as one streamed ZIP. Names are shown as text, never as
 * markup; every name and size came from a validated folder node.
 */
import { formatLink, formatWebLink, listFolder, type BlockId, type FolderEntry } from '@cairn/core'
import { tabBlockSource } from '../files/open.js'
import { folderZip } from '../files/zip.js'
import type { AppContext } from './context.js'
import { h, replace } from './dom.js'
import { describeError } from './errors.js'
import { formatBytes } from './format.js'
import { shareLink } from './share-link.js'

/** Rows listed at most; past that the rest are counted, not shown. */
export const MAX_ROWS = 1000

interface Dir { name: string, root: BlockId, key: Uint8Array }

/**
 * The folder `top`, showing `start` (a directory inside it, or `top`);
 * `showFile(entry, webLink)` opens a file of it below the listing.
 */
export function folderCard (
  ctx: AppContext, top: Dir, showFile: (entry: FolderEntry & { kind: 'file' }, slot: HTMLElement) => void, signal: AbortSignal
): HTMLElement {
  const crumbs = h('nav', { class: 'crumbs', 'aria-label': 'Folder path', 'data-testid': 'folder-path' })
  const listing = h('ul', { class: 'folder-listing', 'data-testid': 'folder-listing' })
  const zipSlot = h('div', { class: 'actions' })
  const fileSlot = h('div', { class: 'folder-file' })
  const shareSlot = h('div', { class: 'share-slot' })
  const source = tabBlockSource(ctx.tab)
  const stack: Dir[] = [top]

  const show = async (): Promise<void> => {
    const dir = stack.at(-1) as Dir
    replace(crumbs, ...stack.flatMap((d, i) => [
      i === 0 ? null : ' / ',
      i === stack.length - 1
        ? h('strong', {}, d.name)
        : h('button', { type: 'button', class: 'link', onclick: () => { stack.length = i + 1; void show() } }, d.name)
    ]))
    replace(listing, h('li', { class: 'muted' }, 'Listing…'))
    replace(fileSlot)
    replace(shareSlot, shareLink(formatWebLink(ctx.origin, ctx.joinToken, formatLink(dir.root, dir.key)), dir.name))
    replace(zipSlot, zipButton(ctx, dir, source, signal))
    const rows: HTMLElement[] = []
    let more = 0
    try {
      for await (const entry of listFolder(dir, source, { signal })) {
        if (rows.length >= MAX_ROWS) {
          more++
          continue
        }
        rows.push(row(entry))
      }
      if (signal.aborted || stack.at(-1) !== dir) return
      replace(listing, ...rows,
        rows.length === 0 ? h('li', { class: 'muted' }, 'This folder is empty.') : null,
        more > 0 ? h('li', { class: 'muted' }, `…and ${more} more entries, not listed here (the ZIP has them all).`) : null)
      listing.dataset['state'] = 'listed'
    } catch (err) {
      if (signal.aborted) return
      const { summary, detail, code } = describeError(err)
      replace(listing, h('li', { role: 'alert', class: 'error', 'data-testid': 'folder-error', 'data-code': code },
        summary, detail === '' ? null : h('small', {}, ` (${detail})`)))
    }
  }

  const row = (entry: FolderEntry): HTMLElement => {
    if (entry.kind === 'dir') {
      return h('li', { class: 'folder-entry dir', 'data-testid': 'folder-entry', 'data-name': entry.name, 'data-kind': 'dir' },
        h('button', { type: 'button', class: 'link', onclick: () => { stack.push(entry); void show() } }, `${entry.name}/`),
        h('span', { class: 'muted' }, 'folder'))
    }
    return h('li', { class: 'folder-entry', 'data-testid': 'folder-entry', 'data-name': entry.name, 'data-kind': 'file', 'data-bytes': entry.size },
      h('button', { type: 'button', class: 'link', onclick: () => { showFile(entry, fileSlot) } }, entry.name),
      h('span', { class: 'muted' }, formatBytes(entry.size)))
  }

  void show()
  return h('article', { class: 'card', 'data-testid': 'opened-folder' },
    h('div', { class: 'card-head' }, h('span', { class: 'name', 'data-testid': 'folder-name' }, top.name), h('span', { class: 'muted' }, 'folder')),
    crumbs, zipSlot, listing, fileSlot, shareSlot)
}

/** "Prepare ZIP": walks the directory for the ZIP's length, then offers the streamed download. */
function zipButton (ctx: AppContext, dir: Dir, source: ReturnType<typeof tabBlockSource>, signal: AbortSignal): HTMLElement {
  const slot = h('span', {})
  if (ctx.streams === undefined) return slot
  const streams = ctx.streams
  const button = h('button', { type: 'button', class: 'secondary', 'data-testid': 'prepare-zip' }, `Download ${dir.name}.zip`)
  button.addEventListener('click', () => {
    button.disabled = true
    button.textContent = 'Preparing the ZIP…'
    folderZip(dir, dir.name, source, { signal }).then(zip => {
      const session = streams.open(zip)
      // A plain link (see the file card): a navigation reaches the service worker.
      replace(slot, h('a', { class: 'button', href: session.downloadUrl, 'data-testid': 'download-zip', 'data-bytes': zip.size },
        `Download ${zip.name} (${formatBytes(zip.size)})`))
    }, (err: unknown) => {
      const { summary, code } = describeError(err)
      replace(slot, h('span', { role: 'alert', class: 'error', 'data-code': code }, summary))
    })
  })
  slot.append(button)
  return slot
}
