/**
 * Reading what a user pastes to join a mesh: a whole join URL
 * (`http://host:port/#join=TOKEN`, maybe with `&file=`), just its fragment,
 * or the bare token.
 */
import { LinkError, parseFragment } from '@cairn/core'

export type JoinTarget =
  /** A token for the mesh of this page's host. */
  | { kind: 'token', token: string }
  /** A join URL of another host: go there. */
  | { kind: 'elsewhere', url: string }
  | { kind: 'invalid', reason: string }

const BARE_TOKEN = /^[\x21-\x7e]{8,256}$/

export function parseJoinInput (text: string, origin: string): JoinTarget {
  const trimmed = text.trim()
  if (trimmed === '') return { kind: 'invalid', reason: 'Paste the join link first.' }
  if (/^https?:\/\//i.test(trimmed)) {
    let url: URL
    try {
      url = new URL(trimmed)
    } catch {
      return { kind: 'invalid', reason: 'That is not a valid link.' }
    }
    if (!url.hash.includes('join=')) return { kind: 'invalid', reason: 'That link has no #join= part: copy the whole join link.' }
    if (url.origin !== origin) return { kind: 'elsewhere', url: url.href }
    return tokenFrom(url.hash)
  }
  if (trimmed.includes('join=')) return tokenFrom(trimmed.slice(trimmed.indexOf('#') + 1))
  if (BARE_TOKEN.test(trimmed) && !trimmed.includes('/') && !trimmed.includes('#')) return { kind: 'token', token: trimmed }
  return { kind: 'invalid', reason: 'That is not a join link: it looks like http://host:port/#join=…' }
}

function tokenFrom (fragment: string): JoinTarget {
  let token: string | undefined
  try {
    token = parseFragment(fragment).join
  } catch (err) {
    if (!(err instanceof LinkError)) throw err
    return { kind: 'invalid', reason: 'That link is garbled: copy the whole join link.' }
  }
  return token === undefined || token === '' ? { kind: 'invalid', reason: 'That link\'s join token is empty.' } : { kind: 'token', token }
}
