import type { BlockSource } from '../block/source.js'
import { blockLength } from '../crypto/geometry.js'
import { aheadOf, type Ahead } from '../crypto/random-access.js'
import { IntegrityError, InternalError } from '../errors.js'
import type { OpenManifest } from './manifest-reader.js'

/**
 * Fetches content blocks ahead of the reader: blocks `first…last` are
 * requested in order; taking block i requests up to block i + `ahead`
 * (a number, or asked anew at each take).
 * `blocks` hashes each block against its id (`verifiedSource`); here every
 * block is checked for its exact length before `take` returns it.
 */
export class BlockWindow {
  readonly #manifest: OpenManifest
  readonly #blocks: BlockSource
  readonly #signal: AbortSignal
  readonly #last: number
  readonly #ahead: () => number
  readonly #onLatency: ((ms: number) => void) | undefined
  readonly #pending = new Map<number, Promise<Uint8Array>>()
  #next: number

  /** `ahead` is asked at each take; `onLatency` is told how long each block that arrived took from its request (its id known) to its arrival, in ms. */
  constructor (manifest: OpenManifest, blocks: BlockSource, first: number, last: number, ahead: Ahead, signal: AbortSignal, onLatency?: (ms: number) => void) {
    this.#manifest = manifest
    this.#blocks = blocks
    this.#next = first
    this.#last = last
    this.#ahead = aheadOf(ahead)
    this.#onLatency = onLatency
    this.#signal = signal
  }

  /** Block `index` (the next one in order), verified. */
  async take (index: number): Promise<Uint8Array> {
    const ahead = this.#ahead()
    while (this.#next <= this.#last && this.#next <= index + ahead) {
      const pending = this.#fetch(this.#next)
      pending.catch(() => {}) // awaited by take(); this only marks it handled if the read stops first
      this.#pending.set(this.#next++, pending)
    }
    const pending = this.#pending.get(index)
    if (pending === undefined) throw new InternalError(`block ${index} is not in the window`)
    this.#pending.delete(index)
    return await pending
  }

  async #fetch (index: number): Promise<Uint8Array> {
    const id = await this.#manifest.blockId(index, { signal: this.#signal })
    const asked = this.#onLatency === undefined ? 0 : performance.now()
    const bytes = await this.#blocks.get(id, { signal: this.#signal, immutable: true })
    if (this.#onLatency !== undefined) this.#onLatency(performance.now() - asked)
    const expected = blockLength(this.#manifest.contentLength, index)
    if (bytes.length !== expected) {
      throw new IntegrityError(`block ${index} (${id.toString()}): ${bytes.length} bytes, expected ${expected}`)
    }
    return bytes
  }
}
