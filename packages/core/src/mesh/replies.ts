import { ProtocolError } from '../errors.js'
import type { HostStatus } from '../wire/messages.js'
import { PartAssembler } from './parts.js'
import type { ReplyHandler, RequestOptions } from './requests.js'

/*
 * How a peer's replies answer each request it was sent (`Peer.want`, `probe`,
 * …): the value a reply settles the request with, or a `ProtocolError` for a
 * reply that does not fit it.
 */

export interface WantOptions extends RequestOptions {
  /** Asked with a block's size before it is taken: an error refuses it. */
  admit?: (total: number) => Error | undefined
  /** Told the size of each part as it is taken in (verified or not, complete or not). */
  taken?: (bytes: number) => void
}

/**
 * A `want`'s replies: the block assembled from its parts (unverified), or null
 * for `dont-have`. `admit(total)` is asked on the first part, before anything
 * is allocated for it; a refusal, or the caller giving up (not `live`), drops
 * the rest of the block as it arrives.
 */
export function wantReply (options: WantOptions): ReplyHandler<Uint8Array | null> {
  let assembler: PartAssembler | undefined
  let refused = false
  return (msg, live) => {
    if (msg.t === 'dont-have') return { value: null }
    if (msg.t !== 'block') throw new ProtocolError(`unexpected ${msg.t} in reply to want`)
    if (assembler === undefined && !refused && msg.offset !== 0) throw new ProtocolError('block part out of order')
    const final = msg.offset + msg.data.length >= msg.total
    if (!live) {
      // Nobody waits for it any more: free what was assembled and await the last part only.
      refused = true
      assembler = undefined
    }
    if (refused) return final ? { value: null } : undefined
    if (assembler === undefined) {
      const refusal = options.admit?.(msg.total)
      if (refusal !== undefined) {
        refused = true
        return { refuse: refusal, final }
      }
    }
    assembler ??= new PartAssembler(msg.total)
    const bytes = assembler.add(msg.offset, msg.total, msg.data)
    options.taken?.(msg.data.length)
    return bytes === undefined ? undefined : { value: bytes }
  }
}

/** A probe's reply: false if the peer lacks the block, else its expiry (undefined: none). */
export const probeReply: ReplyHandler<false | number | undefined> = msg => {
  if (msg.t === 'dont-have') return { value: false }
  if (msg.t === 'have') return { value: msg.expires }
  throw new ProtocolError(`unexpected ${msg.t} in reply to a probe`)
}

/** A put's reply: the copies the peer reports. */
export const storedReply: ReplyHandler<number> = msg => {
  if (msg.t === 'stored') return { value: msg.copies }
  throw new ProtocolError(`unexpected ${msg.t} in reply to put`)
}

/** An audit's reply: the bytes as sent, or null if the peer says it lacks the block. */
export const auditReply: ReplyHandler<Uint8Array | null> = msg => {
  if (msg.t === 'dont-have') return { value: null }
  if (msg.t === 'proof') return { value: msg.data }
  throw new ProtocolError(`unexpected ${msg.t} in reply to audit`)
}

/** A remove's reply: whether the peer (or a host it asked) held the root with that owner tag. */
export const removedReply: ReplyHandler<boolean> = msg => {
  if (msg.t === 'removed') return { value: msg.verified }
  throw new ProtocolError(`unexpected ${msg.t} in reply to remove`)
}

export const statusReply: ReplyHandler<HostStatus> = msg => {
  if (msg.t === 'info') return { value: msg.status }
  throw new ProtocolError(`unexpected ${msg.t} in reply to status`)
}

export const pongReply: ReplyHandler<undefined> = msg => {
  if (msg.t === 'pong') return { value: undefined }
  throw new ProtocolError(`unexpected ${msg.t} in reply to ping`)
}
