/**
 * Online guessing of the join token, slowed down per remote address. Each
 * wrong token (a handshake that failed with `bad-token`, or `bad-host-key`
 * for a host claim: the only failures that answer a guess) doubles how long that address waits for its next
 * handshake: 1 s, 2 s, 4 s … up to 60 s. While an address has failures, its
 * handshakes are also spaced by that delay, one slot each, so opening many
 * sockets at once buys no parallel guesses. A host holds a connection until
 * its slot (at most `maxWait`) and refuses it (HTTP 429, `Retry-After`)
 * when the slot is further away. A successful handshake from the address
 * clears its record (only a holder of the token can do that); a record with
 * no failure for `forgetAfter` is dropped.
 */

export interface HandshakeLimiterInit {
  /** Delay after the first failure, in ms (default 1 000). */
  base?: number
  /** Longest delay, in ms (default 60 000). */
  max?: number
  /** Longest a connection is held for its slot before it is refused instead, in ms (default 5 000). */
  maxWait?: number
  /** A record with no failure for this long is forgotten, in ms (default 15 min). */
  forgetAfter?: number
  /** Addresses remembered at once; the stalest are dropped beyond it (default 10 000). */
  maxAddresses?: number
  now?: () => number
}

export type Admission = { wait: number } | { retryAfter: number }

interface Failures {
  count: number
  /** Earliest start of the next handshake from this address. */
  next: number
  last: number
}

export const DEFAULT_GUESS_BACKOFF = { base: 1_000, max: 60_000, maxWait: 5_000, forgetAfter: 15 * 60_000, maxAddresses: 10_000 }

export class HandshakeLimiter {
  private readonly base: number
  private readonly max: number
  private readonly maxWait: number
  private readonly forgetAfter: number
  private readonly maxAddresses: number
  private readonly now: () => number
  /** By address key; insertion order = order of the latest failure. */
  private readonly records = new Map<string, Failures>()

  constructor (init: HandshakeLimiterInit = {}) {
    this.base = init.base ?? DEFAULT_GUESS_BACKOFF.base
    this.max = init.max ?? DEFAULT_GUESS_BACKOFF.max
    this.maxWait = init.maxWait ?? DEFAULT_GUESS_BACKOFF.maxWait
    this.forgetAfter = init.forgetAfter ?? DEFAULT_GUESS_BACKOFF.forgetAfter
    this.maxAddresses = init.maxAddresses ?? DEFAULT_GUESS_BACKOFF.maxAddresses
    this.now = init.now ?? Date.now
  }

  /** Whether a handshake from `key` may start now, after a wait (ms), or not (retry after ms). */
  admit (key: string): Admission {
    const record = this.current(key)
    if (record === undefined) return { wait: 0 }
    const now = this.now()
    const start = Math.max(now, record.next)
    if (start - now > this.maxWait) return { retryAfter: start - now }
    record.next = start + this.delay(record.count)
    return { wait: start - now }
  }

  /** A handshake from `key` failed with a wrong token; returns the delay now imposed on it (ms). */
  failed (key: string): { failures: number, delay: number } {
    const now = this.now()
    const record = this.current(key) ?? { count: 0, next: now, last: now }
    record.count++
    record.last = now
    const delay = this.delay(record.count)
    record.next = Math.max(record.next, now + delay)
    this.records.delete(key)
    this.records.set(key, record)
    this.trim(now)
    return { failures: record.count, delay }
  }

  succeeded (key: string): void {
    this.records.delete(key)
  }

  /** Addresses with failures on record (for tests and status). */
  get size (): number {
    return this.records.size
  }

  private delay (failures: number): number {
    return Math.min(this.max, this.base * 2 ** Math.min(failures - 1, 30))
  }

  private current (key: string): Failures | undefined {
    const record = this.records.get(key)
    if (record !== undefined && this.now() - record.last > this.forgetAfter && record.next <= this.now()) {
      this.records.delete(key)
      return undefined
    }
    return record
  }

  private trim (now: number): void {
    for (const [key, record] of this.records) {
      if (this.records.size <= this.maxAddresses && now - record.last <= this.forgetAfter) break
      this.records.delete(key)
    }
  }
}
