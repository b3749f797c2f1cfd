/**
 * Opening a share link (pasted, or from the page URL's `#file=`): name and
 * size, a streamed download with its progress shown here too, a preview for
 * audio, video and raster images that can seek (the service worker answers
 * Range requests from the mesh), and the link to share on. Only passive types
 * preview (download/content-policy.ts): an SVG or HTML file is a download
 * link, never a document on the app's origin. A folder link shows its listing
 * (folder-view.ts); `&path=` opens one entry of a folder.
 */
import type { FileEntry, OpenedFile } from '@cairn/core'
import { folderOf, formatLink, formatWebLink, isFolder, ManifestError, resolveFolderPath } from '@cairn/core'
import { presentation } from '../download/content-policy.js'
import { countLocalBlocks } from '../files/local-blocks.js'
import { openLink, parseAnyLink, tabBlockSource } from '../files/open.js'
import { folderCard } from './folder-view.js'
import { watchReads } from '../files/read-progress.js'
import type { ReadState } from '../files/read-progress.js'
import type { AppContext } from './context.js'
import { h, replace } from './dom.js'
import { describeError } from './errors.js'
import { relayingHosts } from '../mesh/relay-status.js'
import { expiryNote } from './expiry.js'
import { formatBytes, percent } from './format.js'
import { listNotice } from './list-notice.js'
import { shareLink } from './share-link.js'

export interface OpenPanel {
  el: HTMLElement
  /** Open `text` (any link form) and show it. */
  open: (text: string) => Promise<void>
}

export function openPanel (ctx: AppContext): OpenPanel {
  const input = h('input', { id: 'open-input', type: 'text', placeholder: 'http://…/#join=…&file=…  or  bafkrei….key', spellcheck: 'false', autocomplete: 'off' })
  const button = h('button', { type: 'submit' }, 'Open')
  const out = h('div', { class: 'opened', 'aria-live': 'polite' })
  let current: AbortController | undefined

  const open = async (text: string): Promise<void> => {
    current?.abort()
    const controller = new AbortController()
    current = controller
    input.value = text
    replace(out, h('p', { class: 'muted', 'data-testid': 'open-status' }, 'Looking for the file on the mesh…'))
    try {
      const link = parseAnyLink(text)
      let file = await openLink(ctx.tab, link, { signal: controller.signal })
      if (controller.signal.aborted) return
      let plain = formatLink(link.root, link.key)
      if (isFolder(file) || link.path !== undefined) {
        const folder = folderOf(file, link.key)
        const entry = link.path === undefined ? undefined : await resolveFolderPath(folder, link.path, tabBlockSource(ctx.tab), { signal: controller.signal })
        if (entry?.kind !== 'file') {
          const dir = entry ?? folder
          replace(out, folderCard(ctx, dir, (f, slot) => { void showEntry(ctx, f, slot, controller.signal) }, controller.signal))
          if (entry === undefined) await remember(ctx, out, controller.signal, file, plain, await expiryOf(ctx, file, controller.signal))
          return
        }
        file = await openEntry(ctx, entry, controller.signal)
        plain = formatLink(entry.root, entry.key)
      }
      const webLink = formatWebLink(ctx.origin, ctx.joinToken, plain)
      const card = fileCard(ctx, file, webLink, controller.signal)
      replace(out, card)
      // When the hosts stop serving it, as one holding its root says (nothing if none is connected or it never expires).
      const expires = await expiryOf(ctx, file, controller.signal)
      const note = expiryNote(expires)
      if (note !== null && !controller.signal.aborted) card.querySelector('[data-testid="file-size"]')?.parentElement?.after(note)
      await remember(ctx, out, controller.signal, file, plain, expires)
    } catch (err) {
      if (controller.signal.aborted) return
      const { summary, detail, code } = describeError(err)
      // Out of reach because this tab cannot link to the tabs that hold it: say so.
      const rtc = ctx.tab.rtc.status
      const tabsOnly = rtc.state !== 'available' && (code === 'ERR_UNAVAILABLE' || code === 'ERR_NOT_FOUND')
      replace(out, h('p', { role: 'alert', class: 'error', 'data-testid': 'open-error', 'data-code': code },
        summary, detail === '' ? null : h('small', {}, ` (${detail})`),
        tabsOnly ? h('span', { 'data-testid': 'open-error-rtc' }, ` If another tab holds it and no host keeps a copy, this tab cannot fetch it: direct tab-to-tab links are unavailable (${rtc.reason})${relayingHosts(ctx.tab.mesh.peers()).length === 0 ? ', and no connected host relays blocks between tabs' : ''}.`) : null))
    }
  }

  const form = h('form', { class: 'open-form' },
    h('label', { for: 'open-input' }, 'Share link'), h('div', { class: 'link-row' }, input, button))
  form.addEventListener('submit', event => {
    event.preventDefault()
    void open(input.value)
  })
  const el = h('section', { class: 'panel', 'aria-labelledby': 'open-title' },
    h('h2', { id: 'open-title' }, 'Open a link'), form, out)
  return { el, open }
}

/** When hosts stop serving `file` (a folder: its root), as one holding its root says; undefined if never or unknown. */
async function expiryOf (ctx: AppContext, file: OpenedFile, signal: AbortSignal): Promise<number | undefined> {
  return await ctx.tab.mesh.expiryOf(file.root, { signal }).catch(() => undefined)
}

/** Keep an opened link in the library (a folder's root too); if the list cannot, the file stays open and `out` says so. */
async function remember (ctx: AppContext, out: HTMLElement, signal: AbortSignal, file: OpenedFile, plain: string, expires: number | undefined): Promise<void> {
  const webLink = formatWebLink(ctx.origin, ctx.joinToken, plain)
  await ctx.library.put({
    root: file.root.toString(), name: file.name, size: file.size, type: file.type,
    link: plain, webLink, replicas: 0, added: Date.now(), origin: 'opened', ...(expires === undefined ? {} : { expires })
  }).catch((err: unknown) => {
    if (!signal.aborted) out.append(listNotice('Not saved to "Your files": the list will not show this file after a reload.', err))
  })
}

/** A file of a folder: opened by its own link; its manifest must agree with the folder's entry. */
async function openEntry (ctx: AppContext, entry: FileEntry, signal: AbortSignal): Promise<OpenedFile> {
  const file = await openLink(ctx.tab, entry, { signal })
  if (file.size !== entry.size) throw new ManifestError(`folder: "${entry.name}" is listed as ${entry.size} bytes, its manifest says ${file.size}`)
  return file
}

/** Show a file of an opened folder in `slot`, as any opened file (download, preview, its own share link). */
async function showEntry (ctx: AppContext, entry: FileEntry, slot: HTMLElement, signal: AbortSignal): Promise<void> {
  replace(slot, h('p', { class: 'muted' }, `Opening ${entry.name}…`))
  try {
    const file = await openEntry(ctx, entry, signal)
    replace(slot, fileCard(ctx, file, formatWebLink(ctx.origin, ctx.joinToken, formatLink(entry.root, entry.key)), signal))
  } catch (err) {
    const { summary, detail, code } = describeError(err)
    replace(slot, h('p', { role: 'alert', class: 'error', 'data-testid': 'open-error', 'data-code': code },
      summary, detail === '' ? null : h('small', {}, ` (${detail})`)))
  }
}

function fileCard (ctx: AppContext, file: OpenedFile, webLink: string, signal: AbortSignal): HTMLElement {
  const card = h('article', { class: 'card', 'data-testid': 'opened-file' },
    h('div', { class: 'card-head' },
      h('span', { class: 'name', 'data-testid': 'file-name' }, file.name),
      h('span', { class: 'muted', 'data-testid': 'file-size', 'data-bytes': file.size }, formatBytes(file.size))),
    h('p', { class: 'muted' }, file.type))
  if (ctx.streams === undefined) {
    card.append(h('p', { role: 'alert', class: 'error' },
      'Streaming downloads need a service worker, and this browser has none for this page (private mode, or a hard reload). Reload the page normally.'))
    return card
  }
  // Downloads read through their own session, watched for progress; the preview reads through another.
  const progress = downloadProgress(file.size)
  const downloads = ctx.streams.open(watchReads(file, progress.update))
  const session = ctx.streams.open(file)
  // A plain link, not `download=`: Chromium sends <a download> straight to the
  // network, past the service worker; a navigation reaches it, and its
  // `Content-Disposition: attachment` answer becomes a regular download.
  card.append(h('div', { class: 'actions' },
    h('a', { class: 'button', href: downloads.downloadUrl, 'data-testid': 'download' }, `Download ${formatBytes(file.size)}`)),
  progress.el)
  void showLocalBlocks(ctx, file, progress, signal)
  const preview = mediaPreview(file, session.mediaUrl)
  if (preview !== null) card.append(preview)
  card.append(shareLink(webLink, file.name))
  return card
}

const PROGRESS_TEXT: Record<ReadState, string> = {
  running: 'Downloading',
  done: 'Downloaded',
  stopped: 'Download stopped at',
  error: 'Download failed at'
}

/**
 * A download cut by a reload or a lost connection left its blocks in this
 * tab's store: say how much is already here, and the download's progress
 * says where it resumed.
 */
async function showLocalBlocks (ctx: AppContext, file: OpenedFile, progress: DownloadProgress, signal: AbortSignal): Promise<void> {
  try {
    const { held, total } = await countLocalBlocks(file, async id => await ctx.tab.store.has(id), { signal })
    if (held === 0) return
    const pct = percent(held, total)
    progress.resumedAt(pct)
    progress.el.before(h('p', { class: 'muted', 'data-testid': 'local-blocks', 'data-held': held, 'data-total': total, 'data-percent': pct },
      held === total ? 'Already in this browser: downloads need nothing from the mesh.' : `${pct}% already in this browser: the download resumes at ${pct}%.`))
  } catch (err) {
    // Only a hint: the download works without it (and fetches what is missing).
    if (!signal.aborted) console.warn('cannot count the blocks already in this browser', err)
  }
}

interface DownloadProgress {
  el: HTMLElement
  update: (position: number, state: ReadState) => void
  /** The share of the file already held when it was opened. */
  resumedAt: (pct: number) => void
}

/** The latest download's progress, shown once it starts. */
function downloadProgress (size: number): DownloadProgress {
  const bar = h('progress', { max: 100, value: 0, 'aria-label': 'Download progress' })
  const text = h('span', { class: 'muted' })
  const el = h('div', { class: 'progress-row', 'data-testid': 'download-progress', hidden: true, 'aria-live': 'polite' }, bar, text)
  let shown = -1
  let resumed = ''
  const update = (position: number, state: ReadState): void => {
    const settled = state === 'running' && position >= size ? 'done' : state
    const pct = percent(position, size)
    // Text changes at most once per percent, so a fast download does not flood the page.
    if (pct === shown && settled === el.dataset['state']) return
    shown = pct
    el.hidden = false
    el.dataset['state'] = settled
    el.dataset['bytes'] = String(position)
    el.classList.toggle('error', settled === 'error')
    bar.value = pct
    text.textContent = `${PROGRESS_TEXT[settled]} ${pct}% · ${formatBytes(position)} of ${formatBytes(size)}${resumed}`
  }
  const resumedAt = (pct: number): void => {
    resumed = ` · resumed at ${pct}%`
    el.dataset['resumedAt'] = String(pct)
  }
  return { el, update, resumedAt }
}

function mediaPreview (file: OpenedFile, url: string): HTMLElement | null {
  const label = `Preview of ${file.name}`
  const { preview } = presentation(file.type)
  if (preview === 'video') {
    return h('video', { controls: true, preload: 'metadata', src: url, 'aria-label': label, 'data-testid': 'preview', class: 'preview' })
  }
  if (preview === 'audio') {
    return h('audio', { controls: true, preload: 'metadata', src: url, 'aria-label': label, 'data-testid': 'preview' })
  }
  if (preview === 'image') {
    return h('img', { src: url, alt: label, 'data-testid': 'preview', class: 'preview' })
  }
  return null
}
