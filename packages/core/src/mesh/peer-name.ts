import { MAX_PEER_NAME_LENGTH } from '../wire/limits.js'

/*
 * A peer's display name (`hello.name`): free text chosen by the peer, so it is
 * shown only as text and never trusted. Control and format characters (which
 * could break a terminal line or reorder text with bidi overrides) are
 * removed, runs of whitespace become one space, and the result is cut to
 * `MAX_PEER_NAME_LENGTH` UTF-16 units without splitting a character.
 */

const UNSAFE = /[\p{Cc}\p{Cf}\p{Cs}]/gu
const SPACES = /[\s\p{Z}]+/gu

/** The name to show for `raw`, or undefined when nothing printable is left. */
export function peerName (raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined
  const clean = raw.replace(SPACES, ' ').replace(UNSAFE, '').replace(SPACES, ' ').trim()
  let out = ''
  for (const char of clean) {
    if (out.length + char.length > MAX_PEER_NAME_LENGTH) break
    out += char
  }
  out = out.trimEnd()
  return out === '' ? undefined : out
}
