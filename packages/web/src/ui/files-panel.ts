/**
 * The files this browser added or opened, newest first, to reopen or share
 * again. Every tab of the browser lists the same files in the same order;
 * "added here" is said only by the tab that added the file.
 */
import { parseBlockId, parseOwnerSecret } from '@cairn/core'
import type { FileEntry } from '../files/library.js'
import { describeError } from './errors.js'
import { expiryNote } from './expiry.js'
import type { AppContext } from './context.js'
import { copyButton } from './copy-button.js'
import { h, replace } from './dom.js'
import { formatBytes } from './format.js'
import { listNotice } from './list-notice.js'
import { shareLink } from './share-link.js'

export function filesPanel (ctx: AppContext, open: (link: string) => void): HTMLElement {
  const list = h('ul', { class: 'files', 'data-testid': 'library' })
  const empty = h('p', { class: 'muted' }, 'Files you add or open appear here.')
  // Above the list: an item that failed to go is already gone from it.
  const trouble = h('div', { class: 'problem' })
  if (ctx.library.loadFailure !== undefined) {
    replace(trouble, listNotice('"Your files" could not be read: files added or opened before are not listed.', ctx.library.loadFailure))
  }
  const remove = async (entry: FileEntry): Promise<void> => {
    replace(trouble)
    await ctx.library.remove(entry.root).catch((err: unknown) => {
      replace(trouble, listNotice(`${entry.name} could not be removed from "Your files": it may be listed again after a reload.`, err))
    })
  }
  const render = (): void => {
    const entries = ctx.library.list()
    replace(list, ...entries.map(entry => item(ctx, entry, open, remove)))
    empty.hidden = entries.length > 0
  }
  ctx.library.addEventListener('change', render)
  render()
  return h('section', { class: 'panel', 'aria-labelledby': 'files-title' },
    h('h2', { id: 'files-title' }, 'Your files'), empty, trouble, list)
}

function originText (ctx: AppContext, entry: FileEntry): string {
  if (entry.origin === 'opened') return 'opened'
  if (entry.addedBy === undefined) return 'added in this browser'
  return entry.addedBy === ctx.tab.peerId ? 'added here' : 'added in another tab'
}

function item (ctx: AppContext, entry: FileEntry, open: (link: string) => void, remove: (entry: FileEntry) => Promise<void>): HTMLLIElement {
  const share = h('div', { class: 'share-slot' })
  const toggle = h('button', { type: 'button', class: 'secondary', 'aria-expanded': 'false' }, 'QR code')
  toggle.addEventListener('click', () => {
    const showing = share.childElementCount > 0
    replace(share, showing ? null : shareLink(entry.webLink, entry.name))
    toggle.setAttribute('aria-expanded', String(!showing))
    toggle.textContent = showing ? 'QR code' : 'Hide QR code'
  })
  const problem = h('div', { class: 'problem' })
  return h('li', { class: 'file', 'data-testid': 'library-item', 'data-root': entry.root },
    h('div', { class: 'card-head' },
      h('span', { class: 'name' }, entry.name),
      h('span', { class: 'muted' }, `${formatBytes(entry.size)} · `, h('span', { 'data-testid': 'file-origin' }, originText(ctx, entry)))),
    expiryNote(entry.expires),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'secondary', onclick: () => { open(entry.webLink) } }, 'Open'),
      copyButton(() => entry.webLink),
      toggle,
      h('button', {
        type: 'button',
        class: 'secondary',
        'aria-label': `Remove ${entry.name} from this list`,
        onclick: () => { void remove(entry) }
      }, 'Remove'),
      entry.owner === undefined ? null : deleteButton(ctx, entry, entry.owner, problem, remove)),
    problem,
    share)
}

/** Delete the file from the mesh (this browser added it and holds its owner secret), then from the list. */
function deleteButton (ctx: AppContext, entry: FileEntry, owner: string, problem: HTMLElement, remove: (entry: FileEntry) => Promise<void>): HTMLButtonElement {
  const button = h('button', { type: 'button', class: 'danger', 'data-testid': 'delete-file', 'aria-label': `Delete ${entry.name} from the mesh` }, 'Delete')
  button.addEventListener('click', () => {
    button.disabled = true
    replace(problem)
    ctx.tab.mesh.removeFile(parseBlockId(entry.root), parseOwnerSecret(owner))
      .then(async () => { await remove(entry) })
      .catch((err: unknown) => {
        button.disabled = false
        const { summary, detail, code } = describeError(err)
        replace(problem, h('p', { role: 'alert', class: 'error', 'data-testid': 'delete-error', 'data-code': code }, summary,
          detail === '' ? null : h('small', {}, ` (${detail})`)))
      })
  })
  return button
}
