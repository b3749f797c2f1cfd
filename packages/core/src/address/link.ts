/**
 * Share links.
 *
 * Plain form: `<rootCID>.<key>`, the 16-byte file key in unpadded base64url
 * (22 characters). Web form: the plain link in a URL fragment, which browsers
 * never send to a server: `http://HOST:PORT/#join=<meshToken>&file=<link>`
 * (or `#file=<link>` for an open mesh); the fragment alone (`#file=<link>`) is
 * accepted too. A link may name an entry inside a folder: `<rootCID>.<key>/a/b`
 * or, in the fragment, `&path=a/b` (components percent-encoded, each a valid
 * folder entry name). Parsing is strict: anything but exactly these shapes is a
 * `LinkError` that says which part is wrong.
 */
import { base64url } from 'multiformats/bases/base64'
import { parseBlockId, type BlockId } from '../block/id.js'
import { LinkError } from '../errors.js'
import { formatFragment, parseFragment, type Fragment } from './fragment.js'
import { validateEntryName } from '../folder/names.js'
import { parseHttpUrl } from './mesh-url.js'

export const FILE_KEY_BYTES = 16
const KEY_CHARS = 22
const KEY_PATTERN = /^[A-Za-z0-9_-]{22}$/
/** A folder path (at most 4,096 UTF-8 bytes) percent-encoded may triple. */
const MAX_LINK_LENGTH = 16_384

export interface ParsedLink {
  root: BlockId
  /** The 16-byte file key. */
  key: Uint8Array
  /** Mesh join token from a web-form link ('' for an open mesh named explicitly). */
  join?: string
  /** Origin (`http://HOST:PORT`) of a web-form link. */
  origin?: string
  /**
   * An entry inside the folder the link names: its path components, decoded
   * and checked as folder entry names (`<root>.<key>/a/b` or `&path=a/b`).
   */
  path?: string[]
}

/** `<rootCID>.<key>` */
export function formatLink (root: BlockId, key: Uint8Array): string {
  if (!(key instanceof Uint8Array) || key.length !== FILE_KEY_BYTES) {
    throw new LinkError(`link key: must be ${FILE_KEY_BYTES} bytes`)
  }
  return `${root.toString()}.${base64url.baseEncode(key)}`
}

/**
 * `ORIGIN/#join=TOKEN&file=LINK`, or `ORIGIN/#file=LINK` when `token` is '';
 * with `path` (or a path in `link`), `&path=a/b` names an entry of that folder.
 */
export function formatWebLink (origin: string, token: string, link: string, path?: readonly string[]): string {
  const parsed = parsePlainLink(link)
  const url = parseHttpUrl(origin, 'web link origin')
  const fragment: Fragment = token === '' ? {} : { join: token }
  fragment.file = formatLink(parsed.root, parsed.key)
  const components = path ?? parsed.path ?? []
  if (components.length > 0) fragment.path = formatLinkPath(components)
  return `${url.origin}/${formatFragment(fragment)}`
}

/** `a/b%20c`: each component checked and percent-encoded, joined by `/`. */
export function formatLinkPath (path: readonly string[]): string {
  return path.map(component => encodeURIComponent(checkComponent(component))).join('/')
}

/** `<root>.<key>/a/b`: the plain form of a link to an entry inside a folder. */
export function formatPathLink (root: BlockId, key: Uint8Array, path: readonly string[]): string {
  const link = formatLink(root, key)
  return path.length === 0 ? link : `${link}/${formatLinkPath(path)}`
}

/** Parse any link form: plain, web (`http(s)://…#…file=…`) or a bare `#…file=…` fragment. */
export function parseLink (text: string): ParsedLink {
  if (typeof text !== 'string') throw new LinkError('link: not a string')
  if (text.length === 0) throw new LinkError('link: empty')
  if (text.length > MAX_LINK_LENGTH) throw new LinkError('link: too long')
  if (/\s/.test(text)) throw new LinkError('link: contains whitespace')
  if (text.startsWith('#')) return fromFragment(text)
  return /^https?:/i.test(text) ? parseWebLink(text) : parsePlainLink(text)
}

function parsePlainLink (text: string): ParsedLink {
  const dot = text.indexOf('.')
  if (dot < 0) throw new LinkError('link: expected <root>.<key>')
  const slash = text.indexOf('/', dot)
  const rootText = text.slice(0, dot)
  const keyText = slash < 0 ? text.slice(dot + 1) : text.slice(dot + 1, slash)
  if (slash >= 0) {
    const path = parseLinkPath(text.slice(slash + 1))
    const parsed = parsePlainLink(text.slice(0, slash))
    if (path.length > 0) parsed.path = path
    return parsed
  }
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
  const url = parseHttpUrl(text, 'web link')
  if (url.username !== '' || url.password !== '') throw new LinkError('web link: must not carry credentials')
  if (url.search !== '') throw new LinkError('web link: unexpected query string')
  const hash = text.indexOf('#')
  if (hash < 0) throw new LinkError('web link: no #file= fragment')
  return { ...fromFragment(text.slice(hash)), origin: url.origin }
}

function fromFragment (hash: string): ParsedLink {
  const { join, file, path } = parseFragment(hash)
  if (file === undefined) throw new LinkError('web link: fragment has no file=')
  const parsed = parsePlainLink(file)
  if (join !== undefined) parsed.join = join
  if (path !== undefined) {
    if (parsed.path !== undefined) throw new LinkError('web link: a path both in file= and in path=')
    const components = parseLinkPath(path)
    if (components.length > 0) parsed.path = components
  }
  return parsed
}

/** `a/b%20c` (a trailing `/` allowed) → its components, each percent-decoded and checked as a folder entry name. */
export function parseLinkPath (text: string): string[] {
  const trimmed = text.endsWith('/') ? text.slice(0, -1) : text
  if (trimmed === '') return []
  return trimmed.split('/').map(part => {
    let component: string
    try {
      component = decodeURIComponent(part)
    } catch (cause) {
      throw new LinkError('link path: bad percent-encoding', { cause })
    }
    return checkComponent(component)
  })
}

function checkComponent (component: string): string {
  try {
    return validateEntryName(component)
  } catch (cause) {
    throw new LinkError(`link path: ${cause instanceof Error ? cause.message.replace(/^[^:]*: /, '') : 'bad component'}`, { cause })
  }
}
