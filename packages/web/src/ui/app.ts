/** The page: header, then the panels in a responsive grid. */
import type { AppContext } from './context.js'
import { addPanel } from './add-panel.js'
import { h } from './dom.js'
import { filesPanel } from './files-panel.js'
import { openPanel } from './open-panel.js'
import type { OpenPanel } from './open-panel.js'
import { peersPanel } from './peers-panel.js'
import { storagePanel } from './storage-panel.js'

export function mountApp (root: HTMLElement, ctx: AppContext): OpenPanel {
  const opener = openPanel(ctx)
  const open = (link: string): void => {
    void opener.open(link)
    opener.el.scrollIntoView({ behavior: 'smooth', block: 'start' })
    opener.el.querySelector('h2')?.focus()
  }
  root.replaceChildren(
    header(),
    h('main', { class: 'grid' },
      addPanel(ctx),
      opener.el,
      filesPanel(ctx, open),
      peersPanel(ctx),
      storagePanel(ctx)))
  opener.el.querySelector('h2')?.setAttribute('tabindex', '-1')
  return opener
}

export function header (): HTMLElement {
  return h('header', { class: 'top' },
    h('h1', {}, 'Cairn'),
    h('p', { class: 'muted' }, 'End-to-end encrypted file sharing between your browsers and hosts'))
}

/** A failure that stops the app from starting. */
export function showFatal (root: HTMLElement, summary: string, detail: string): void {
  root.replaceChildren(header(), h('main', {},
    h('section', { class: 'panel' },
      h('h2', {}, 'Cairn could not start'),
      h('p', { role: 'alert', class: 'error', 'data-testid': 'fatal-error' }, summary),
      detail === '' ? '' : h('p', { class: 'muted' }, detail))))
}
