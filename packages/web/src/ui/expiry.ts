/** A file's expiry as the panels show it: when hosts stop serving it, or nothing for a file that never expires. */
import { h } from './dom.js'

export function expiryNote (expires: number | undefined): HTMLElement | null {
  if (expires === undefined) return null
  return h('p', { class: 'muted expiry', 'data-testid': 'file-expiry', 'data-expires': expires },
    `Expires ${new Date(expires).toLocaleString()}`)
}
