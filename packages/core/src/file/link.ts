/**
 * Share links.
 *
 * Plain form: `<rootCID>.<key>`, the 16-byte file key in unpadded base64url
 * (22 characters). Web form: the plain link in a URL fragment, which browsers
 * never send to a server: `http://HOST:PORT/#join=<meshToken>&file=<link>`
 * (or `#file=<link>` for an open mesh). Parsing is strict: anything but exactly
 * these shapes is a `LinkError` that says which part is wrong.
 */
import { base64url } from 'multiformats/bases/base64'
import { parseBlockId, type BlockId } from '../block/id.js'
import { LinkError } from '../errors.js'

export const FILE_KEY_BYTES = 16
const KEY_CHARS = 22
const KEY_PATTERN = /^[A-Za-z0-9_-]{22}$/
const MAX_LINK_LENGTH = 2048
const MAX_TOKEN_LENGTH = 256
// eslint-disable-next-line no-control-regex
const BAD_TOKEN_CHAR = /[\s\u0000-\u001f\u007f]/

export interface ParsedLink {
  root: BlockId
  /** The 16-byte file key. */
  key: Uint8Array
  /** Mesh join token from a web-form link ('' for an open mesh named explicitly). */
  join?: string
  /** Origin (`http://HOST:PORT`) of a web-form link. */
  origin?: string
}

/** `<rootCID>.<key>` */
export function formatLink (root: BlockId, key: Uint8Array): string {
  if (!(key instanceof Uint8Array) || key.length !== FILE_KEY_BYTES) {
    throw new LinkError(`link key: must be ${FILE_KEY_BYTES} bytes`)
  }
  return `${root.toString()}.${base64url.baseEncode(key)}`
}

/** `ORIGIN/#join=TOKEN&file=LINK`, or `ORIGIN/#file=LINK` when `token` is ''. */
export function formatWebLink (origin: string, token: string, link: string): string {
  const parsed = parsePlainLink(link)
  let url: URL
  try {
    url = new URL(origin)
  } catch (cause) {
    throw new LinkError('web link origin: not a URL', { cause })
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new LinkError('web link origin: must be http or https')
  const file = formatLink(parsed.root, parsed.key)
  if (token !== '') checkToken(token)
  const fragment = token === '' ? `file=${file}` : `join=${encodeURIComponent(token)}&file=${file}`
  return `${url.origin}/#${fragment}`
}

/** Parse either link form. */
export function parseLink (text: string): ParsedLink {
  if (typeof text !== 'string') throw new LinkError('link: not a string')
  if (text.length === 0) throw new LinkError('link: empty')
  if (text.length > MAX_LINK_LENGTH) throw new LinkError('link: too long')
  if (/\s/.test(text)) throw new LinkError('link: contains whitespace')
  return /^https?:/i.test(text) ? parseWebLink(text) : parsePlainLink(text)
}

function parsePlainLink (text: string): ParsedLink {
  const dot = text.indexOf('.')
  if (dot < 0) throw new LinkError('link: expected <root>.<key>')
  const rootText = text.slice(0, dot)
  const keyText = text.slice(dot + 1)
  let root: BlockId
  try {
    root = parseBlockId(rootText)
  } catch (cause) {
    throw new LinkError('link root: not a valid block id (bafkrei…)', { cause })
  }
  return { root, key: parseKey(keyText) }
}

function parseKey (text: string): Uint8Array {
  if (text.length !== KEY_CHARS) {
    throw new LinkError(`link key: must be ${KEY_CHARS} base64url characters, got ${text.length}`)
  }
  if (!KEY_PATTERN.test(text)) throw new LinkError('link key: not unpadded base64url')
  let key: Uint8Array
  try {
    key = base64url.baseDecode(text)
  } catch (cause) {
    throw new LinkError('link key: not canonical base64url', { cause })
  }
  if (key.length !== FILE_KEY_BYTES || base64url.baseEncode(key) !== text) {
    throw new LinkError('link key: not canonical base64url')
  }
  return key
}

function parseWebLink (text: string): ParsedLink {
  let url: URL
  try {
    url = new URL(text)
  } catch (cause) {
    throw new LinkError('web link: not a URL', { cause })
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new LinkError('web link: must be http or https')
  if (url.username !== '' || url.password !== '') throw new LinkError('web link: must not carry credentials')
  if (url.search !== '') throw new LinkError('web link: unexpected query string')
  const hash = text.indexOf('#')
  if (hash < 0) throw new LinkError('web link: no #file= fragment')
  const params = parseFragment(text.slice(hash + 1))
  const file = params.get('file')
  if (file === undefined) throw new LinkError('web link: fragment has no file=')
  const parsed: ParsedLink = { ...parsePlainLink(file), origin: url.origin }
  const join = params.get('join')
  if (join !== undefined) parsed.join = join
  return parsed
}

function parseFragment (fragment: string): Map<string, string> {
  const params = new Map<string, string>()
  for (const pair of fragment.split('&')) {
    const eq = pair.indexOf('=')
    const name = eq < 0 ? pair : pair.slice(0, eq)
    if (name !== 'join' && name !== 'file') throw new LinkError(`web link fragment: unexpected "${name.slice(0, 32)}"`)
    if (eq < 0) throw new LinkError(`web link fragment: ${name} has no value`)
    if (params.has(name)) throw new LinkError(`web link fragment: ${name} given twice`)
    params.set(name, name === 'join' ? decodeToken(pair.slice(eq + 1)) : pair.slice(eq + 1))
  }
  return params
}

function decodeToken (text: string): string {
  let token: string
  try {
    token = decodeURIComponent(text)
  } catch (cause) {
    throw new LinkError('web link join token: bad percent-encoding', { cause })
  }
  return checkToken(token)
}

function checkToken (token: string): string {
  if (token.length > MAX_TOKEN_LENGTH) throw new LinkError('web link join token: too long')
  if (BAD_TOKEN_CHAR.test(token)) throw new LinkError('web link join token: contains whitespace or control characters')
  return token
}
