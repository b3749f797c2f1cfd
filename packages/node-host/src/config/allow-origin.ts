/** `--allow-origin`: a web origin (`https://cairn.example.org`, `http://box.lan:4001`) whose pages may join a host's mesh. */
import { UsageError } from './errors.js'

/** The origin in `URL.origin` form; a path, query, fragment or credentials make it a usage error. */
export function parseAllowedOrigin (text: string): string {
  let url: URL
  try {
    url = new URL(text)
  } catch (cause) {
    throw new UsageError(`invalid --allow-origin '${text}': expected an origin such as https://cairn.example.org`, { cause })
  }
  const bare = url.username === '' && url.password === '' && url.pathname === '/' && url.search === '' && url.hash === '' && !text.endsWith('#')
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !bare) {
    throw new UsageError(`invalid --allow-origin '${text}': an origin is http(s)://HOST[:PORT], nothing after it`)
  }
  return url.origin
}
