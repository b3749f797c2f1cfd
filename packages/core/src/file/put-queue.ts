import type { BlockId } from '../block/id.js'
import { AbortError, OutOfRangeError } from '../errors.js'
import type { AbortOptions } from '../store/block-store.js'
import { linkedController } from './abort.js'

export interface PutOptions extends AbortOptions {
  /**
   * Always true from `addFile`: it never modifies a block after handing it
   * over, so a sink may keep `bytes` instead of copying them
   * (`MemoryBlockStore` does).
   */
  immutable?: boolean
  /** Plaintext bytes of the file that the block carries (content blocks; absent for manifest blocks). */
  plaintext?: number
}

/**
 * Where `addFile` writes blocks. A `BlockStore` is one; the mesh passes an
 * adapter whose `put` resolves with the durable copies reached.
 */
export interface BlockSink {
  put (id: BlockId, bytes: Uint8Array, options?: PutOptions): Promise<void | { copies: number }>
}

/**
 * Runs `put`s with at most `limit` in flight. The first failure (or the
 * caller's abort) aborts the others and is rethrown by the next `put`/`drain`.
 */
export class PutQueue {
  readonly #sink: BlockSink
  readonly #limit: number
  readonly #inFlight = new Set<Promise<void>>()
  readonly #controller: AbortController
  readonly #dispose: () => void
  /** Callers waiting for a put to finish or the queue to stop. */
  readonly #waiters = new Set<() => void>()
  #error: unknown
  #failed = false
  #minCopies: number | undefined

  constructor (sink: BlockSink, limit: number, signal?: AbortSignal) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new OutOfRangeError(`put concurrency must be ≥ 1, got ${limit}`)
    this.#sink = sink
    this.#limit = limit
    const { controller, dispose } = linkedController(signal)
    this.#controller = controller
    this.#dispose = dispose
    const stop = (): void => {
      this.#fail(new AbortError('aborted', { cause: controller.signal.reason }))
      this.#wake()
    }
    if (controller.signal.aborted) stop()
    else controller.signal.addEventListener('abort', stop, { once: true })
  }

  /** The lowest copy count any sink `put` reported, if it reported any. */
  get minCopies (): number | undefined {
    return this.#minCopies
  }

  /** Start a put once a slot is free. Resolves when started, not when done. */
  async put (id: BlockId, bytes: Uint8Array, plaintext?: number): Promise<void> {
    this.#check()
    while (this.#inFlight.size >= this.#limit) {
      await this.#change()
      this.#check()
    }
    const pending: Promise<void> = this.#run(id, bytes, plaintext).finally(() => {
      this.#inFlight.delete(pending)
      this.#wake()
    })
    this.#inFlight.add(pending)
  }

  /** Wait for every started put; rethrow the first failure. */
  async drain (): Promise<void> {
    while (this.#inFlight.size > 0 && !this.#failed) await this.#change()
    this.#check()
  }

  /** Abort whatever is still in flight (after a failure elsewhere) and stop listening to the caller's signal. */
  close (reason?: unknown): void {
    if (this.#inFlight.size > 0) this.#controller.abort(reason)
    this.#dispose()
  }

  async #run (id: BlockId, bytes: Uint8Array, plaintext: number | undefined): Promise<void> {
    try {
      const options: PutOptions = { signal: this.#controller.signal, immutable: true }
      if (plaintext !== undefined) options.plaintext = plaintext
      const result = await this.#sink.put(id, bytes, options)
      if (result !== undefined && typeof result.copies === 'number') {
        this.#minCopies = Math.min(this.#minCopies ?? Infinity, result.copies)
      }
    } catch (error) {
      this.#fail(error)
      this.#controller.abort(error)
    }
  }

  /**
   * Resolves at the next finished put or stop. (Not a Promise.race over a
   * promise that stays pending: each race would leave a reaction on it, one
   * per waiting put, for the whole add.)
   */
  async #change (): Promise<void> {
    await new Promise<void>(resolve => this.#waiters.add(resolve))
  }

  #wake (): void {
    for (const resolve of this.#waiters) resolve()
    this.#waiters.clear()
  }

  #fail (error: unknown): void {
    if (this.#failed) return
    this.#failed = true
    this.#error = error
  }

  #check (): void {
    if (this.#failed) throw this.#error
  }
}
