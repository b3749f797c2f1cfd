/**
 * The page: header, then the panels in two columns that stack their cards
 * with no gaps (sharing on the left, the mesh on the right), or one column
 * on a phone in the order people use them. The panels are moved between the
 * layouts (not just reordered by CSS), so reading and focus order always
 * match what is on screen.
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
  const panels = {
    add: addPanel(ctx), open: opener.el, files: filesPanel(ctx, open), peers: peersPanel(ctx), storage: storagePanel(ctx)
  }
  const main = h('main', { class: 'grid' })
  const wide = matchMedia(WIDE)
  const layOut = (): void => {
    if (wide.matches) {
      main.replaceChildren(
        h('div', { class: 'col' }, panels.add, panels.files),
        h('div', { class: 'col' }, panels.open, panels.peers, panels.storage))
    } else {
      main.replaceChildren(panels.add, panels.open, panels.files, panels.peers, panels.storage)
    }
  }
  layOut()
  wide.addEventListener('change', layOut)
  root.replaceChildren(header(), main)
  opener.el.querySelector('h2')?.setAttribute('tabindex', '-1')
  return opener
}

/** Two columns from this width up (styles.css uses the same breakpoint). */
const WIDE = '(min-width: 54.01rem)'

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
