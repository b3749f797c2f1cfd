/**
 * Waiting for a browser WebSocket's send buffer to drain. The API has no
 * drain event (only `bufferedAmount`), so this sleeps, but not by busy
 * polling: once the buffer is over the high-water mark, a sender waits until it
 * is down to the low-water mark (half of it unless told), and each pause is the
 * time the bytes above that mark should take at the rate the socket drained so
 * far (between 1 and 50 ms; doubling from 1 ms while no rate is known). Every
 * waiting sender shares one such wait, and closing ends it at once.
 */
import { ConnectionClosedError } from '@cairn/core'

/** Shortest and longest pause between two looks at the buffer, in ms. */
export const MIN_DRAIN_PAUSE_MS = 1
export const MAX_DRAIN_PAUSE_MS = 50

export interface DrainClock {
  now: () => number
  /** Resolve after `ms`, or as soon as `signal` aborts. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>
}

const realClock: DrainClock = {
  now: () => performance.now(),
  sleep: async (ms, signal) => {
    await new Promise<void>(resolve => {
      const done = (): void => { clearTimeout(timer); resolve() }
      const timer = setTimeout(done, ms)
      signal.addEventListener('abort', done, { once: true })
    })
  }
}

export interface BufferDrainInit {
  highWaterMark: number
  /** Once over the high-water mark, wait until no more than this is buffered (default half of it). */
  lowWaterMark?: number
  /** Once this settles, waiting senders get `ConnectionClosedError` (as after `close()`). */
  closed?: Promise<unknown>
  clock?: DrainClock
}

export class BufferDrain {
  /** Looks at the buffer that found it still too full (for tests and stats). */
  wakeups = 0
  private readonly highWaterMark: number
  private readonly lowWaterMark: number
  private readonly clock: DrainClock
  private readonly closing = new AbortController()
  private waiting: Promise<void> | undefined
  /** Bytes per ms the buffer last drained at, 0 until measured. */
  private rate = 0

  constructor (private readonly buffered: () => number, init: BufferDrainInit) {
    this.highWaterMark = init.highWaterMark
    this.lowWaterMark = Math.min(init.lowWaterMark ?? Math.floor(init.highWaterMark / 2), init.highWaterMark)
    this.clock = init.clock ?? realClock
    init.closed?.then(() => { this.close() }, () => { this.close() })
  }

  /** Resolve at once if the buffer is at or under the high-water mark, else once it is down to the low-water mark. */
  async drained (): Promise<void> {
    this.throwIfClosed()
    if (this.buffered() <= this.highWaterMark) return
    this.waiting ??= this.wait().finally(() => { this.waiting = undefined })
    await this.waiting
  }

  /** Wake every waiting sender with `ConnectionClosedError`. */
  close (): void {
    this.closing.abort()
  }

  private async wait (): Promise<void> {
    let pause = MIN_DRAIN_PAUSE_MS
    let before = this.buffered()
    let since = this.clock.now()
    for (;;) {
      const excess = before - this.lowWaterMark
      if (this.rate > 0) pause = excess / this.rate
      await this.clock.sleep(Math.min(Math.max(pause, MIN_DRAIN_PAUSE_MS), MAX_DRAIN_PAUSE_MS), this.closing.signal)
      this.throwIfClosed()
      const now = this.clock.now()
      const left = this.buffered()
      const measured = this.measure(before - left, now - since, left === 0)
      if (left <= this.lowWaterMark) return
      this.wakeups++
      if (!measured) pause *= 2
      before = left
      since = now
    }
  }

  /**
   * Update the drain rate from `bytes` drained in `ms`; false if nothing drained. An empty
   * buffer may have emptied before `ms` was up, so it only ever raises the rate.
   */
  private measure (bytes: number, ms: number, emptied: boolean): boolean {
    if (bytes <= 0 || ms <= 0) return false
    this.rate = emptied ? Math.max(this.rate, bytes / ms) : bytes / ms
    return true
  }

  private throwIfClosed (): void {
    if (this.closing.signal.aborted) throw new ConnectionClosedError('connection closed')
  }
}
