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
 * Whether `candidate` replaces `existing` as the connection to a peer. A
 * connection older than `window` gives way to a new one (it may be dead
 * without either side knowing yet). Of two made at about the same time,
 * `preferred` decides.
 *
 * The age test reads each side's own clock: with event-loop lag the two sides
 * can see the same two connections more and less than `window` apart, and one
 * would keep the old connection while the other kept the new one, leaving no
 * link at all. So a node acts on age alone only once the old connection has
 * failed a ping (`MeshNode`); while it answers, `preferred` decides.
 */
export function supersedes (candidate: ConnectionFacts, existing: ConnectionFacts, window: number): boolean {
  if (candidate.since - existing.since > window) return true
  return preferred(candidate, existing)
}

/**
 * Of two live connections to one peer, whether `candidate` is the one to keep,
 * decided alike on both sides from facts both hold: the one dialed by the
 * lower peer id; if both were dialed by the same side, the one with the lower
 * transcript hash.
 */
export function preferred (candidate: ConnectionFacts, existing: ConnectionFacts): boolean {
  if (candidate.dialer !== existing.dialer) return candidate.dialer < existing.dialer
  return candidate.tiebreak < existing.tiebreak
}
