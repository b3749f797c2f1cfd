/**
 * A share link as people use it: a short label saying which host and file
 * it is for (the whole link is long and starts the same for every file), a
 * button that copies the whole link, a QR code for phones, and the full link
 * in a read-only field for selecting by hand.
 */
import { copyButton } from './copy-button.js'
import { h } from './dom.js'
import { qrSvg } from './qr.js'

/** `127.0.0.1:4001 · bafkreihyl5…x7q2ab`: the host and the file the link names. */
export function linkLabel (link: string): string {
  let host = ''
  let file = link
  try {
    const url = new URL(link)
    host = url.host
    file = new URLSearchParams(url.hash.slice(1)).get('file') ?? ''
  } catch {}
  const root = file.split('.')[0] ?? ''
  const short = root.length > 20 ? `${root.slice(0, 12)}…${root.slice(-6)}` : root
  return host === '' ? short : `${host} · ${short}`
}

export function shareLink (link: string, name: string): HTMLElement {
  const id = `link-${crypto.randomUUID()}`
  const input = h('input', {
    id, type: 'text', readonly: true, value: link, class: 'link', 'data-testid': 'file-link', spellcheck: 'false'
  })
  input.addEventListener('focus', () => { input.select() })
  return h('div', { class: 'share' },
    qrSvg(link, `QR code of the share link for ${name}`),
    h('div', { class: 'share-text' },
      h('span', { class: 'muted share-title' }, 'Share link'),
      h('a', { href: link, class: 'link-label', title: link, 'data-testid': 'file-link-label' }, linkLabel(link)),
      h('div', { class: 'actions' }, copyButton(() => link)),
      h('details', { class: 'full-link' },
        h('summary', {}, 'Full link'),
        h('label', { for: id, class: 'visually-hidden' }, `Share link for ${name}`),
        input)))
}
