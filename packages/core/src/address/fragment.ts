/**
 * The URL fragment of join URLs, web links and the app's own page:
 * `#join=<token>&file=<root>.<key>[&path=<a/b>]`, each part optional (`path`:
 * an entry of the folder `file` names, components percent-encoded). Browsers never send
 * a fragment to a server, so the token and the file key stay on the device.
 *
 * Parsing is strict: only `join`, `file` and `path`, each at most once and with a
 * value; the token percent-decoded and checked (`checkJoinToken`). `file` is
 * returned as written (`parseLink` checks it). Anything else is a `LinkError`.
 */
import { LinkError } from '../errors.js'

const MAX_TOKEN_LENGTH = 256
// eslint-disable-next-line no-control-regex
const BAD_TOKEN_CHAR = /[\s\u0000-\u001f\u007f]/

export interface Fragment {
  /** Join token; absent when the fragment names none, '' for an open mesh named explicitly. */
  join?: string
  /** Plain share link (`<root>.<key>`), unchecked. */
  file?: string
  /** A path inside the folder `file` names, as written (percent-encoded components joined by `/`), unchecked. */
  path?: string
}

/** Parse `#join=…&file=…` (the leading `#` optional; '' or '#' alone is `{}`). */
export function parseFragment (hash: string): Fragment {
  if (typeof hash !== 'string') throw new LinkError('fragment: not a string')
  const text = hash.startsWith('#') ? hash.slice(1) : hash
  const fragment: Fragment = {}
  if (text === '') return fragment
  for (const pair of text.split('&')) {
    const eq = pair.indexOf('=')
    const name = eq < 0 ? pair : pair.slice(0, eq)
    if (name !== 'join' && name !== 'file' && name !== 'path') throw new LinkError(`fragment: unexpected "${name.slice(0, 32)}"`)
    if (eq < 0) throw new LinkError(`fragment: ${name} has no value`)
    if (fragment[name] !== undefined) throw new LinkError(`fragment: ${name} given twice`)
    fragment[name] = name === 'join' ? decodeToken(pair.slice(eq + 1)) : pair.slice(eq + 1)
  }
  return fragment
}

/** `#join=…&file=…` with the parts given (in this order), or '' for none. `join: ''` is written as `join=`. */
export function formatFragment (fragment: Fragment): string {
  const parts: string[] = []
  if (fragment.join !== undefined) parts.push(`join=${encodeURIComponent(checkJoinToken(fragment.join))}`)
  if (fragment.file !== undefined) {
    if (/[&#\s]/.test(fragment.file)) throw new LinkError('fragment: file link contains "&", "#" or whitespace')
    parts.push(`file=${fragment.file}`)
  }
  if (fragment.path !== undefined) {
    if (/[&#\s]/.test(fragment.path)) throw new LinkError('fragment: path contains "&", "#" or whitespace')
    parts.push(`path=${fragment.path}`)
  }
  return parts.length === 0 ? '' : `#${parts.join('&')}`
}

/** `token` if it can be a join token: at most 256 characters, no whitespace or control characters. */
export function checkJoinToken (token: string): string {
  if (typeof token !== 'string') throw new LinkError('join token: not a string')
  if (token.length > MAX_TOKEN_LENGTH) throw new LinkError('join token: too long')
  if (BAD_TOKEN_CHAR.test(token)) throw new LinkError('join token: contains whitespace or control characters')
  return token
}

function decodeToken (text: string): string {
  let token: string
  try {
    token = decodeURIComponent(text)
  } catch (cause) {
    throw new LinkError('join token: bad percent-encoding', { cause })
  }
  return checkJoinToken(token)
}
