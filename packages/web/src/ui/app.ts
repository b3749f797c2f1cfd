/**
 * The page: header, then the panels in two columns that stack their cards
 * with no gaps (sharing on the left, the mesh on the right), or one column
 * on a phone in the order people use them.
 */
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
      h('div', { class: 'col' }, ordered(addPanel(ctx), 1), ordered(filesPanel(ctx, open), 3)),
      h('div', { class: 'col' }, ordered(opener.el, 2), ordered(peersPanel(ctx), 4), ordered(storagePanel(ctx), 5))))
  opener.el.querySelector('h2')?.setAttribute('tabindex', '-1')
  return opener
}

/** Where `panel` goes when the columns collapse into one. */
function ordered (panel: HTMLElement, order: number): HTMLElement {
  panel.dataset['order'] = String(order)
  return panel
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
