import { h } from './dom.js'
import { describeError } from './errors.js'

/**
 * "Your files" could not save a change (IndexedDB refused it, e.g. a full
 * disk): what worked still stands; `what` tells the user what the list will
 * get wrong after a reload, then the reason.
 */
export function listNotice (what: string, err: unknown): HTMLElement {
  const { summary, detail, code } = describeError(err)
  return h('p', { role: 'alert', class: 'warn', 'data-testid': 'library-error', 'data-code': code },
    `${what} `, summary, detail === '' ? null : h('small', {}, ` (${detail})`))
}
