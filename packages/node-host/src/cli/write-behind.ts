import { InternalError } from '@cairn/core'

/**
 * Writes that run behind a reader: each is started at once, in order, and
 * `add` returns once at most `limit` are still in flight (waiting for the
 * oldest beyond that). A get
 * decrypts the next block while the last ones are still being written (a
 * 1 MiB write into the page cache takes as long as opening the block), instead
 * of one after the other.
 *
 * The first failure is thrown by `add` or `finish`; `settle` waits for every
 * write still in flight without throwing, so a caller that stops (on any
 * error) never leaves a write running on a file it is about to close.
 */
export class WriteBehind {
  readonly #limit: number
  readonly #inFlight: Array<Promise<void>> = []

  /** `limit`: writes left in flight when `add` returns (the reader keeps that many earlier parts valid: `ReadInit.held`). */
  constructor (limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new InternalError(`write-behind limit must be a whole number ≥ 1, got ${limit}`)
    this.#limit = limit
  }

  /** Start `write`; while more than `limit` are in flight, wait for the oldest (and throw if it failed). */
  async add (write: () => Promise<void>): Promise<void> {
    const started = write()
    started.catch(() => {}) // observed by add, finish or settle; this only marks it handled meanwhile
    this.#inFlight.push(started)
    while (this.#inFlight.length > this.#limit) await this.#inFlight.shift()
  }

  /** Wait for every write, oldest first; throws the first failure. */
  async finish (): Promise<void> {
    while (this.#inFlight.length > 0) await this.#inFlight.shift()
  }

  /** Wait for every write still in flight, failed or not. */
  async settle (): Promise<void> {
    const rest = this.#inFlight.splice(0)
    await Promise.allSettled(rest)
  }
}
