/**
 * Opening a share link (pasted, or from the page URL's `#file=`): name and
 * size, a streamed download, and a preview for audio, video and raster
 * images that can seek (the service worker answers Range requests from the
 * mesh). Only passive types preview (download/content-policy.ts): an SVG or
 * HTML file is a download link, never a document on the app's origin.
 */
import type { OpenedFile } from '@cairn/core'
import { formatLink, formatWebLink } from '@cairn/core'
import { presentation } from '../download/content-policy.js'
import { openLink, parseAnyLink } from '../files/open.js'
import type { AppContext } from './context.js'
import { linkField } from './copy-button.js'
import { h, replace } from './dom.js'
import { describeError } from './errors.js'
import { formatBytes } from './format.js'

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
      const file = await openLink(ctx.tab, link, { signal: controller.signal })
      if (controller.signal.aborted) return
      const plain = formatLink(link.root, link.key)
      const webLink = formatWebLink(ctx.origin, ctx.joinToken, plain)
      replace(out, fileCard(ctx, file, webLink))
      await ctx.library.put({
        root: file.root.toString(), name: file.name, size: file.size, type: file.type,
        link: plain, webLink, replicas: 0, added: Date.now(), origin: 'opened'
      })
    } catch (err) {
      if (controller.signal.aborted) return
      const { summary, detail, code } = describeError(err)
      replace(out, h('p', { role: 'alert', class: 'error', 'data-testid': 'open-error', 'data-code': code },
        summary, detail === '' ? null : h('small', {}, ` (${detail})`)))
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

function fileCard (ctx: AppContext, file: OpenedFile, webLink: string): HTMLElement {
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
  const session = ctx.streams.open(file)
  // A plain link, not `download=`: Chromium sends <a download> straight to the
  // network, past the service worker; a navigation reaches it, and its
  // `Content-Disposition: attachment` answer becomes a regular download.
  card.append(h('div', { class: 'actions' },
    h('a', { class: 'button', href: session.downloadUrl, 'data-testid': 'download' }, `Download ${formatBytes(file.size)}`)))
  const preview = mediaPreview(file, session.mediaUrl)
  if (preview !== null) card.append(preview)
  card.append(linkField(webLink, `Share link for ${file.name}`))
  return card
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
