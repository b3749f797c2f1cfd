/** What both sides know of one of two connections between the same peers. */
export interface ConnectionFacts {
  /** When it was authenticated (ms, `performance.now()`). */
  since: number
  /** Peer id of the side that dialed it. */
  dialer: string
  /** The transcript hash in hex: equal on both sides, unique per connection. */
  tiebreak: string
}

/**
 * Whether `candidate` replaces `existing` as the connection to a peer,
 * decided alike on both sides. A connection older than `window` gives way to
 * a new one (it may be dead without either side knowing yet). Of two made at
 * about the same time, the one dialed by the lower peer id stays; if both
 * were dialed by the same side, the one with the lower transcript hash.
 */
export function supersedes (candidate: ConnectionFacts, existing: ConnectionFacts, window: number): boolean {
  if (candidate.since - existing.since > window) return true
  if (candidate.dialer !== existing.dialer) return candidate.dialer < existing.dialer
  return candidate.tiebreak < existing.tiebreak
}
