import { InvalidArgumentError } from '../errors.js'

const EMPTY: Uint8Array = new Uint8Array(0)

/**
 * The one rechunker: pulls exact-size pieces out of an async iterable of byte
 * arrays cut at arbitrary points (used by the Cobblestone streams and by
 * `addFile`'s `PlaintextBlocks`). A piece that lies inside one input array is a view on it
 * (no copy); a piece spanning arrays is copied into a fresh buffer, never a
 * reused one, since earlier pieces may still be in use.
 */
export class ByteReader {
  readonly #source: AsyncIterable<Uint8Array>
  #iterator: AsyncIterator<Uint8Array> | undefined
  #piece = EMPTY
  #offset = 0
  #ended = false

  constructor (source: AsyncIterable<Uint8Array>) {
    this.#source = source
  }

  /** Exactly `length` bytes, or fewer only when the source has ended. */
  async read (length: number): Promise<Uint8Array> {
    if (this.#offset === this.#piece.length && !(await this.#pull())) return EMPTY
    if (this.#piece.length - this.#offset >= length) return this.#take(length)
    const out = new Uint8Array(length)
    let filled = 0
    while (filled < length) {
      if (this.#offset === this.#piece.length && !(await this.#pull())) return out.subarray(0, filled)
      const part = this.#take(Math.min(length - filled, this.#piece.length - this.#offset))
      out.set(part, filled)
      filled += part.length
    }
    return out
  }

  /**
   * A view of the next `length` bytes if the current input array holds them
   * all, without waiting; otherwise undefined (then `read` them).
   */
  readBuffered (length: number): Uint8Array | undefined {
    return this.#piece.length - this.#offset >= length ? this.#take(length) : undefined
  }

  /** Stops the source early (runs its cleanup) unless it has ended. */
  async close (): Promise<void> {
    if (this.#ended || this.#iterator === undefined) return
    this.#ended = true
    await this.#iterator.return?.()
  }

  #take (length: number): Uint8Array {
    const part = this.#piece.subarray(this.#offset, this.#offset + length)
    this.#offset += length
    return part
  }

  /** Loads the next non-empty input array; false at the end of the source. */
  async #pull (): Promise<boolean> {
    this.#iterator ??= this.#source[Symbol.asyncIterator]()
    while (!this.#ended) {
      const { done, value } = await this.#iterator.next()
      if (done === true) {
        this.#ended = true
        break
      }
      if (!(value instanceof Uint8Array)) throw new InvalidArgumentError('byte streams must yield Uint8Array pieces')
      if (value.length > 0) {
        this.#piece = value
        this.#offset = 0
        return true
      }
    }
    this.#piece = EMPTY
    this.#offset = 0
    return false
  }
}
