import { InternalError } from '../errors.js'

interface Slot<T> {
  readonly promise: Promise<T>
  settled: boolean
}

/**
 * An ordered window of pending operations: results come out in the order the
 * operations went in, whatever order they finish in. Every promise gets a
 * handler on entry, so one that fails after the window is abandoned is not an
 * unhandled rejection.
 */
export class InFlight<T> {
  readonly #slots: Array<Slot<T>> = []

  get size (): number {
    return this.#slots.length
  }

  push (promise: Promise<T>): void {
    const slot: Slot<T> = { promise, settled: false }
    const settle = (): void => { slot.settled = true }
    promise.then(settle, settle)
    this.#slots.push(slot)
  }

  /** True when the oldest operation has finished, so shift() will not wait. */
  headSettled (): boolean {
    return this.#slots[0]?.settled ?? false
  }

  /** The oldest operation's result; rejects if it failed. */
  async shift (): Promise<T> {
    const slot = this.#slots.shift()
    if (slot === undefined) throw new InternalError('no operation in flight')
    return await slot.promise
  }
}
