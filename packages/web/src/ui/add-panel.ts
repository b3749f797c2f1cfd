/**
 * Adding files: pick them or drop them. Each gets a progress bar while it is
 * encrypted and stored, then its copies on hosts against the hosts' replica
 * target, and its share link (label, copy button, QR code). Files are added
 * one at a time, so memory stays at a few blocks.
 */
import { addBrowserFile } from '../files/add.js'
import { replicaTarget } from '../files/replica-target.js'
import type { AppContext } from './context.js'
import { copiesBadge } from './copies.js'
import { h } from './dom.js'
import { describeError } from './errors.js'
import { expiryNote } from './expiry.js'
import { formatBytes, percent } from './format.js'
import { shareLink } from './share-link.js'

export function addPanel (ctx: AppContext): HTMLElement {
  const list = h('ol', { class: 'uploads', 'aria-live': 'polite' })
  const input = h('input', { id: 'add-input', type: 'file', multiple: true, class: 'visually-hidden', 'data-testid': 'add-files' })
  const zone = h('label', { for: 'add-input', class: 'dropzone' },
    h('strong', {}, 'Choose files'), h('span', {}, ' or drop them here'))
  const expiry = expiryChoice()
  let queue = Promise.resolve()
  const add = (files: Iterable<File>): void => {
    // The expiry counts from when the file was chosen, not from when its turn comes.
    const seconds = Number(expiry.select.value)
    const expires = seconds > 0 ? Date.now() + seconds * 1000 : undefined
    for (const file of files) {
      const item = uploadItem(file)
      list.prepend(item.el)
      queue = queue.then(async () => { await runUpload(ctx, file, item, expires) })
    }
  }
  input.addEventListener('change', () => {
    add([...(input.files ?? [])])
    input.value = ''
  })
  zone.addEventListener('dragover', event => {
    event.preventDefault()
    zone.classList.add('dragging')
  })
  zone.addEventListener('dragleave', () => { zone.classList.remove('dragging') })
  zone.addEventListener('drop', event => {
    event.preventDefault()
    zone.classList.remove('dragging')
    add([...(event.dataTransfer?.files ?? [])])
  })
  return h('section', { class: 'panel', 'aria-labelledby': 'add-title' },
    h('h2', { id: 'add-title' }, 'Share files'),
    h('p', { class: 'muted' }, 'Files are encrypted in this tab before anything leaves it.'),
    expiry.el,
    h('div', { class: 'dropzone-wrap' }, input, zone),
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

function uploadItem (file: File): UploadItem {
  const progress = h('progress', { max: 100, value: 0, 'aria-label': `Adding ${file.name}` })
  const status = h('span', { class: 'muted' }, 'Waiting…')
  const result = h('div', { class: 'result' })
  const el = h('li', { class: 'card', 'data-testid': 'upload' },
    h('div', { class: 'card-head' }, h('span', { class: 'name' }, file.name), h('span', { class: 'muted' }, formatBytes(file.size))),
    h('div', { class: 'progress-row' }, progress, status),
    result)
  return { el, progress, status, result }
}

async function runUpload (ctx: AppContext, file: File, item: UploadItem, expires: number | undefined): Promise<void> {
  let again = ''
  try {
    const added = await addBrowserFile(ctx.tab, file, {
      ...(expires === undefined ? {} : { expires }),
      joinToken: ctx.joinToken,
      origin: ctx.origin,
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
    await ctx.library.put(entry)
    item.el.dataset['state'] = 'done'
    item.status.textContent = `Added${again}`
    const expiry = expiryNote(entry.expires)
    item.result.append(copiesBadge(entry.replicas, target), ...(expiry === null ? [] : [expiry]), shareLink(entry.webLink, file.name))
  } catch (err) {
    const { summary, detail, code } = describeError(err)
    item.el.dataset['state'] = 'error'
    item.status.textContent = 'Failed'
    item.result.append(h('p', { role: 'alert', class: 'error', 'data-testid': 'add-error', 'data-code': code }, summary,
      detail === '' ? null : h('small', {}, ` (${detail})`)))
  }
}
