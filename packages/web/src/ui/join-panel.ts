/**
 * Shown instead of the app when this page cannot join: it was opened without
 * a join link on a host that needs one, or the host refused the link it had.
 * Nothing here can add a file, so no link without a token is ever made. A
 * pasted join link of this host reloads the page with it; one of another
 * host goes there.
 */
import { formatFragment, LinkError, parseFragment } from '@cairn/core'
import { parseJoinInput } from '../mesh/join-link.js'
import { header } from './app.js'
import { h } from './dom.js'
import { describeError } from './errors.js'

export type JoinReason = 'missing' | 'refused'

const EXPLAIN: Record<JoinReason, { title: string, text: string }> = {
  missing: {
    title: 'Paste a join link',
    text: 'This host keeps its mesh private: joining needs its join link, which carries a token. Ask whoever runs the host for it, then paste it here.'
  },
  refused: {
    title: 'The host refused this join link',
    text: 'The join link (token) this page has was refused: it may be mistyped, cut short, or from another host or an earlier run. Paste the current one here.'
  }
}

/** The `file=` of a fragment, if it parses. */
function fileOf (hash: string): string | undefined {
  try {
    return parseFragment(hash).file
  } catch (err) {
    if (err instanceof LinkError) return undefined
    throw err
  }
}

/**
 * Replace the app with the join form. `cause`: the host's refusal, shown as
 * the connection error it is.
 */
export function showJoinNeeded (root: HTMLElement, reason: JoinReason, location: Location, cause?: unknown): void {
  const { title, text } = EXPLAIN[reason]
  const refusal = cause === undefined ? null : describeError(cause)
  const input = h('input', {
    id: 'join-input', type: 'url', placeholder: `${location.origin}/#join=…`, spellcheck: 'false',
    autocomplete: 'off', required: true, 'data-testid': 'join-input'
  })
  const problem = h('p', { class: 'error', role: 'alert', 'data-testid': 'join-error', hidden: true })
  const form = h('form', { class: 'open-form' },
    h('label', { for: 'join-input' }, 'Join link'),
    h('div', { class: 'link-row' }, input, h('button', { type: 'submit', 'data-testid': 'join-submit' }, 'Join')),
    problem)
  form.addEventListener('submit', event => {
    event.preventDefault()
    const target = parseJoinInput(input.value, location.origin)
    if (target.kind === 'invalid') {
      problem.textContent = target.reason
      problem.hidden = false
      return
    }
    if (target.kind === 'elsewhere') {
      location.assign(target.url)
      return
    }
    // Keep a file the URL was opening; the reload joins with the new token.
    let hash: string
    try {
      const file = fileOf(location.hash)
      hash = formatFragment({ join: target.token, ...(file === undefined ? {} : { file }) })
    } catch (err) {
      if (!(err instanceof LinkError)) throw err
      problem.textContent = 'That join token cannot be used: copy the whole join link.'
      problem.hidden = false
      return
    }
    location.hash = hash
    location.reload()
  })
  root.replaceChildren(header(), h('main', { class: 'single' },
    h('section', { class: 'panel', 'aria-labelledby': 'join-title', 'data-testid': 'join-needed', 'data-reason': reason },
      h('h2', { id: 'join-title' }, title),
      refusal === null
        ? null
        : h('p', { class: 'state', role: 'status', 'data-testid': 'connection-state', 'data-state': 'refused' },
          'Not connected: the host refused this page (not retrying)'),
      refusal === null
        ? null
        : h('p', { class: 'error', role: 'alert', 'data-testid': 'connection-error' },
          refusal.summary, refusal.detail === '' ? null : h('small', {}, ` (${refusal.detail})`)),
      h('p', {}, text),
      h('p', { class: 'muted' }, 'A join link looks like ', h('code', {}, `${location.origin}/#join=…`),
        '; the host prints it when it starts (the "join URL" line of ', h('code', {}, 'cairn host'), ').'),
      form)))
  input.focus()
}
