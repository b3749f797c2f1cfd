import { verifyBlock } from '../block/id.js'
import { IntegrityError } from '../errors.js'
import { blockLength } from './layout.js'
import type { GetBlock } from './manifest-block.js'
import type { OpenManifest } from './manifest-reader.js'

/**
 * Fetches content blocks ahead of the reader: blocks `first…last` are
 * requested in order; taking block i requests up to block i + `ahead`.
 * Every block is checked for its exact length and, unless `verify` is false
 * (`getBlock` already checked it against its id), its hash before `take` returns it.
 */
export class BlockWindow {
  readonly #manifest: OpenManifest
  readonly #getBlock: GetBlock
  readonly #signal: AbortSignal
  readonly #last: number
  readonly #ahead: number
  readonly #verify: boolean
  readonly #pending = new Map<number, Promise<Uint8Array>>()
  #next: number

  constructor (manifest: OpenManifest, getBlock: GetBlock, first: number, last: number, ahead: number, signal: AbortSignal, verify = true) {
    this.#manifest = manifest
    this.#getBlock = getBlock
    this.#next = first
    this.#last = last
    this.#ahead = ahead
    this.#signal = signal
    this.#verify = verify
  }

  /** Block `index` (the next one in order), verified. */
  async take (index: number): Promise<Uint8Array> {
    while (this.#next <= this.#last && this.#next <= index + this.#ahead) {
      const pending = this.#fetch(this.#next)
      pending.catch(() => {}) // awaited by take(); this only marks it handled if the read stops first
      this.#pending.set(this.#next++, pending)
    }
    const pending = this.#pending.get(index)
    if (pending === undefined) throw new RangeError(`block ${index} is not in the window`)
    this.#pending.delete(index)
    return await pending
  }

  async #fetch (index: number): Promise<Uint8Array> {
    const id = await this.#manifest.blockId(index, { signal: this.#signal })
    const bytes = await this.#getBlock(id, { signal: this.#signal, immutable: true })
    const expected = blockLength(this.#manifest.info.size, index)
    if (bytes.length !== expected) {
      throw new IntegrityError(`block ${index} (${id.toString()}): ${bytes.length} bytes, expected ${expected}`)
    }
    if (this.#verify) await verifyBlock(id, bytes)
    return bytes
  }
}
