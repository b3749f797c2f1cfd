/** The files this browser added or opened, newest first, to reopen or share again. */
import type { FileEntry } from '../files/library.js'
import type { AppContext } from './context.js'
import { copyButton } from './copy-button.js'
import { h, replace } from './dom.js'
import { formatBytes } from './format.js'

export function filesPanel (ctx: AppContext, open: (link: string) => void): HTMLElement {
  const list = h('ul', { class: 'files', 'data-testid': 'library' })
  const empty = h('p', { class: 'muted' }, 'Files you add or open appear here.')
  const render = (): void => {
    const entries = ctx.library.list()
    replace(list, ...entries.map(entry => item(ctx, entry, open)))
    empty.hidden = entries.length > 0
  }
  ctx.library.addEventListener('change', render)
  render()
  return h('section', { class: 'panel', 'aria-labelledby': 'files-title' },
    h('h2', { id: 'files-title' }, 'Your files'), empty, list)
}

function item (ctx: AppContext, entry: FileEntry, open: (link: string) => void): HTMLLIElement {
  return h('li', { class: 'file', 'data-testid': 'library-item', 'data-root': entry.root },
    h('div', { class: 'card-head' },
      h('span', { class: 'name' }, entry.name),
      h('span', { class: 'muted' }, `${formatBytes(entry.size)} · ${entry.origin === 'added' ? 'added here' : 'opened'}`)),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'secondary', onclick: () => { open(entry.webLink) } }, 'Open'),
      copyButton(() => entry.webLink),
      h('button', {
        type: 'button',
        class: 'secondary',
        'aria-label': `Remove ${entry.name} from this list`,
        onclick: () => { void ctx.library.remove(entry.root) }
      }, 'Remove')))
}
