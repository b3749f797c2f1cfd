/**
 * The one redial policy: after a failed dial (or a lost connection) wait
 * `initial` ms, then twice as long after each further failure, up to `max`;
 * a success starts over. Used for a single address kept connected
 * (`Backoff`, via `keepDialing`), for many peers at once (`BackoffMap`: a
 * tab's WebRTC links) and, through `nextDelay`, gossip's auto-dial (which keeps
 * each delay on the host's gossip entry).
 */
import { OutOfRangeError } from '../errors.js'

export interface BackoffPolicy {
  /** Delay after the first failure, in ms. */
  initial: number
  /** Longest delay, in ms. */
  max: number
}

/**
 * 250 ms doubling to 10 s: a host that restarts is redialed within a second,
 * and an address that stays down costs one dial every 10 s.
 */
export const DEFAULT_BACKOFF: Readonly<BackoffPolicy> = Object.freeze({ initial: 250, max: 10_000 })

/** `DEFAULT_BACKOFF` with `overrides`, checked: 0 < initial ≤ max. */
export function backoffPolicy (overrides: Partial<BackoffPolicy> = {}): BackoffPolicy {
  const initial = overrides.initial ?? DEFAULT_BACKOFF.initial
  const max = overrides.max ?? Math.max(initial, DEFAULT_BACKOFF.max)
  if (!Number.isFinite(initial) || initial <= 0) throw new OutOfRangeError(`backoff initial must be > 0 ms, got ${initial}`)
  if (!Number.isFinite(max) || max < initial) throw new OutOfRangeError(`backoff max must be ≥ initial (${initial} ms), got ${max}`)
  return { initial, max }
}

/** The delay after `previous` (undefined: the first failure). */
export function nextDelay (policy: BackoffPolicy, previous: number | undefined): number {
  return previous === undefined ? policy.initial : Math.min(policy.max, previous * 2)
}

/** Delays for one address: `next()` after each failure, `reset()` after a success. */
export class Backoff {
  readonly policy: BackoffPolicy
  #last: number | undefined

  constructor (policy: Partial<BackoffPolicy> = {}) {
    this.policy = backoffPolicy(policy)
  }

  /** How long to wait now; the next call returns twice as much (up to `max`). */
  next (): number {
    this.#last = nextDelay(this.policy, this.#last)
    return this.#last
  }

  reset (): void {
    this.#last = undefined
  }
}

/**
 * Backoff per key (peer id), for callers that learn of many peers: a key
 * that failed is not `ready` until its delay has passed. At most `maxEntries`
 * keys are held, whatever the wire names: expired entries go first, then the
 * oldest.
 */
export class BackoffMap<K> {
  readonly policy: BackoffPolicy
  readonly #maxEntries: number
  /** `delay` undefined: held back (`hold`), not failed. */
  readonly #entries = new Map<K, { until: number, delay: number | undefined }>()

  constructor (policy: Partial<BackoffPolicy> = {}, maxEntries = 1024) {
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) throw new OutOfRangeError(`maxEntries must be ≥ 1, got ${maxEntries}`)
    this.policy = backoffPolicy(policy)
    this.#maxEntries = maxEntries
  }

  /** True unless `key` failed and its delay has not passed yet. */
  ready (key: K, now = Date.now()): boolean {
    const entry = this.#entries.get(key)
    return entry === undefined || entry.until <= now
  }

  /** Ms until `key` is ready (0: now). */
  readyIn (key: K, now = Date.now()): number {
    const entry = this.#entries.get(key)
    return entry === undefined ? 0 : Math.max(0, entry.until - now)
  }

  /** Record a failure of `key`; returns the delay before it is ready again. */
  failed (key: K, now = Date.now()): number {
    const delay = nextDelay(this.policy, this.#entries.get(key)?.delay)
    this.#entries.delete(key) // re-inserted as the newest
    this.#entries.set(key, { until: now + delay, delay })
    this.#prune(now)
    return delay
  }

  /** Hold `key` back for `ms` unless it already has an entry (a first dial deferred, not a failure). */
  hold (key: K, ms: number, now = Date.now()): void {
    if (this.#entries.has(key)) return
    this.#entries.set(key, { until: now + ms, delay: undefined })
    this.#prune(now)
  }

  /** `key` connected: forget its failures. */
  succeeded (key: K): void {
    this.#entries.delete(key)
  }

  /** Keys held (at most `maxEntries`). */
  get size (): number {
    return this.#entries.size
  }

  #prune (now: number): void {
    if (this.#entries.size <= this.#maxEntries) return
    for (const [key, entry] of this.#entries) if (entry.until <= now) this.#entries.delete(key)
    for (const key of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxEntries) break
      this.#entries.delete(key)
    }
  }
}
