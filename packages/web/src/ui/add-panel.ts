/**
 * Adding files: pick them or drop them. A picked or dropped folder, or several
 * files with "as one share", becomes one folder share (files/add-folder.ts).
 * Each gets a progress bar while it is encrypted and stored, then its copies on hosts against the hosts' replica
 * target, and its share link (label, copy button, QR code). Files are added
 * one at a time, so memory stays at a few blocks.
 */
import type { FolderDirInput } from '@cairn/core'
import { addBrowserFile } from '../files/add.js'
import { addBrowserFolder } from '../files/add-folder.js'
import { bundleOf, entryInput, fileInput, treeFromPicked } from '../files/folder-source.js'
import type { FileEntry } from '../files/library.js'
import { replicaTarget } from '../files/replica-target.js'
import type { AppContext } from './context.js'
import { copiesBadge } from './copies.js'
import { h } from './dom.js'
import { describeError } from './errors.js'
import { expiryNote } from './expiry.js'
import { formatBytes, percent } from './format.js'
import { listNotice } from './list-notice.js'
import { shareLink } from './share-link.js'

export function addPanel (ctx: AppContext): HTMLElement {
  const list = h('ol', { class: 'uploads', 'aria-live': 'polite' })
  const input = h('input', { id: 'add-input', type: 'file', multiple: true, class: 'visually-hidden', 'data-testid': 'add-files' })
  const zone = h('label', { for: 'add-input', class: 'dropzone' },
    h('strong', {}, 'Choose files'), h('span', {}, ' or drop files or folders here'))
  const folderInput = h('input', { id: 'add-folder-input', type: 'file', webkitdirectory: true, class: 'visually-hidden', 'data-testid': 'add-folder' })
  const folderButton = h('label', { for: 'add-folder-input', class: 'button secondary' }, 'Choose a folder')
  const together = h('input', { id: 'add-together', type: 'checkbox', 'data-testid': 'add-together' })
  const expiry = expiryChoice()
  // The expiry counts from when the files were chosen, not from when their turn comes.
  const expiresAt = (): number | undefined => {
    const seconds = Number(expiry.select.value)
    return seconds > 0 ? Date.now() + seconds * 1000 : undefined
  }
  let queue = Promise.resolve()
  const add = (files: Iterable<File>): void => {
    const picked = [...files]
    if (together.checked && picked.length > 1) {
      addFolder(bundleOf(picked.map(file => fileInput(file))))
      return
    }
    const expires = expiresAt()
    for (const file of picked) {
      const item = uploadItem(file.name, formatBytes(file.size))
      list.prepend(item.el)
      queue = queue.then(async () => { await runUpload(ctx, file, item, expires) })
    }
  }
  const addFolder = (root: FolderDirInput): void => {
    const expires = expiresAt()
    const item = uploadItem(root.name, 'folder')
    item.el.dataset['kind'] = 'folder'
    list.prepend(item.el)
    queue = queue.then(async () => { await runFolderUpload(ctx, root, item, expires) })
  }
  input.addEventListener('change', () => {
    add([...(input.files ?? [])])
    input.value = ''
  })
  folderInput.addEventListener('change', () => {
    const files = [...(folderInput.files ?? [])]
    if (files.length > 0) addFolder(treeFromPicked(files))
    folderInput.value = ''
  })
  zone.addEventListener('dragover', event => {
    event.preventDefault()
    zone.classList.add('dragging')
  })
  zone.addEventListener('dragleave', () => { zone.classList.remove('dragging') })
  zone.addEventListener('drop', event => {
    event.preventDefault()
    zone.classList.remove('dragging')
    // Entries must be taken during the event; a dropped directory makes the drop one folder share.
    const entries = [...(event.dataTransfer?.items ?? [])].map(item => item.webkitGetAsEntry()).filter(entry => entry !== null)
    if (entries.some(entry => entry.isDirectory)) {
      void Promise.all(entries.map(entryInput)).then(items => { addFolder(bundleOf(items)) }, (err: unknown) => { console.error('cannot read the dropped items', err) })
      return
    }
    add([...(event.dataTransfer?.files ?? [])])
  })
  return h('section', { class: 'panel', 'aria-labelledby': 'add-title' },
    h('h2', { id: 'add-title' }, 'Share files'),
    h('p', { class: 'muted' }, 'Files are encrypted in this tab before anything leaves it.'),
    h('div', { class: 'dropzone-wrap' }, input, zone),
    expiry.el,
    h('div', { class: 'actions' }, folderInput, folderButton,
      h('label', { for: 'add-together' }, together, ' Several files as one share')),
    list)
}

/** How long hosts keep what is added next: never, or until a deadline (seconds from the add). */
function expiryChoice (): { el: HTMLElement, select: HTMLSelectElement } {
  const choices: Array<[string, string]> = [['0', 'Never'], ['3600', '1 hour'], ['86400', '1 day'], ['604800', '7 days'], ['2592000', '30 days']]
  const select = h('select', { id: 'add-expiry', 'data-testid': 'add-expiry' }, ...choices.map(([value, label]) => h('option', { value }, label)))
  return { el: h('div', { class: 'expiry-row' }, h('label', { for: 'add-expiry' }, 'Expires '), select), select }
}

interface UploadItem {
  el: HTMLLIElement
  progress: HTMLProgressElement
  status: HTMLElement
  result: HTMLElement
}

function uploadItem (name: string, what: string): UploadItem {
  const progress = h('progress', { max: 100, value: 0, 'aria-label': `Adding ${name}` })
  const status = h('span', { class: 'muted' }, 'Waiting…')
  const result = h('div', { class: 'result' })
  const el = h('li', { class: 'card', 'data-testid': 'upload' },
    h('div', { class: 'card-head' }, h('span', { class: 'name' }, name), h('span', { class: 'muted' }, what)),
    h('div', { class: 'progress-row' }, progress, status),
    result)
  return { el, progress, status, result }
}

async function runFolderUpload (ctx: AppContext, root: FolderDirInput, item: UploadItem, expires: number | undefined): Promise<void> {
  try {
    item.progress.removeAttribute('value') // indeterminate: the tree is listed as it is added
    const added = await addBrowserFolder(ctx.tab, root, {
      joinToken: ctx.joinToken,
      origin: ctx.origin,
      ...(expires === undefined ? {} : { expires }),
      onProgress: ({ files, bytes }) => { item.status.textContent = `${files} file${files === 1 ? '' : 's'} · ${formatBytes(bytes)}` }
    })
    const target = await replicaTarget(ctx.tab)
    const entry = { ...added, addedBy: ctx.tab.peerId, ...(target === undefined ? {} : { target }) }
    const notKept = await remember(ctx, entry)
    item.progress.value = 100
    item.el.dataset['state'] = 'done'
    item.status.textContent = `Added · ${formatBytes(added.size)}`
    item.result.append(...addedBadges(entry), shareLink(entry.webLink, root.name), ...notKept)
  } catch (err) {
    failed(item, err)
  }
}

/** Keep an added file in "Your files"; if the list cannot, the add still stands and the user is told. */
async function remember (ctx: AppContext, entry: FileEntry): Promise<HTMLElement[]> {
  return await ctx.library.put(entry).then(() => [], (err: unknown) => [
    listNotice('Added, but not saved to "Your files": keep the link above, the list will not show this file after a reload.', err)
  ])
}

function failed (item: UploadItem, err: unknown): void {
  const { summary, detail, code } = describeError(err)
  item.el.dataset['state'] = 'error'
  item.status.textContent = 'Failed'
  item.result.append(h('p', { role: 'alert', class: 'error', 'data-testid': 'add-error', 'data-code': code }, summary,
    detail === '' ? null : h('small', {}, ` (${detail})`)))
}

/** Copies against the target, and when hosts stop serving it (if ever). */
function addedBadges (entry: { replicas: number, target?: number, expires?: number }): HTMLElement[] {
  const expiry = expiryNote(entry.expires)
  return [copiesBadge(entry.replicas, entry.target), ...(expiry === null ? [] : [expiry])]
}

async function runUpload (ctx: AppContext, file: File, item: UploadItem, expires: number | undefined): Promise<void> {
  let again = ''
  try {
    const added = await addBrowserFile(ctx.tab, file, {
      joinToken: ctx.joinToken,
      origin: ctx.origin,
      ...(expires === undefined ? {} : { expires }),
      onProgress: ({ bytes, total, resumed }) => {
        item.progress.value = percent(bytes, total)
        // An interrupted add of this file already put these bytes on the host.
        again = resumed === 0 ? '' : ` · resumed at ${percent(resumed, total)}%`
        if (resumed > 0) item.el.dataset['resumed'] = String(resumed)
        item.status.textContent = `${percent(bytes, total)}% · ${formatBytes(bytes)}${again}`
      }
    })
    const target = await replicaTarget(ctx.tab)
    const entry = { ...added, addedBy: ctx.tab.peerId, ...(target === undefined ? {} : { target }) }
    const notKept = await remember(ctx, entry)
    item.el.dataset['state'] = 'done'
    item.status.textContent = `Added${again}`
    item.result.append(...addedBadges(entry), shareLink(entry.webLink, file.name), ...notKept)
  } catch (err) {
    failed(item, err)
  }
}
