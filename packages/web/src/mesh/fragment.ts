/**
 * What the page's URL fragment carries (browsers never send it to a server):
 * `#join=<meshToken>` and optionally `&file=<root>.<key>`.
 */
export interface Fragment {
  /** Join token; '' when absent (an open mesh). */
  join: string
  /** Plain share link, if the URL opens a file. */
  file?: string
}

export function parseFragment (hash: string): Fragment {
  const params = new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash)
  const fragment: Fragment = { join: params.get('join') ?? '' }
  const file = params.get('file')
  if (file !== null) fragment.file = file
  return fragment
}

/** The fragment for `join` and `file` (kept in this order). */
export function formatFragment (fragment: Fragment): string {
  const parts: string[] = []
  if (fragment.join !== '') parts.push(`join=${encodeURIComponent(fragment.join)}`)
  if (fragment.file !== undefined) parts.push(`file=${fragment.file}`)
  return parts.length === 0 ? '' : `#${parts.join('&')}`
}

/** The host's mesh endpoint for a page served from `location`. */
export function meshUrl (location: { protocol: string, host: string }): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/mesh`
}
