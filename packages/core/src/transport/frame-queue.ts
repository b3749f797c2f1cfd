/** Frames a connection buffers for its reader before it pushes back. */
export const DEFAULT_RECEIVE_HIGH_WATER_MARK = 16

export interface FrameQueueInit {
  /** Frames held before `push` reports the queue full. */
  highWaterMark?: number
  /** Called each time the reader takes a buffered frame (room has opened). */
  onRead?: () => void
}

type Waiter = (result: IteratorResult<Uint8Array>) => void

/**
 * The receive side of a connection: an async-iterable FIFO of frames with a
 * high-water mark. The adapter `push`es what arrives and, when `push` returns
 * false, stops taking more from its source (stalls the writer, or pauses the
 * socket) until `onRead` reports room.
 *
 * Several iterators may pull from one queue, each frame going to one of them.
 * Leaving a `for await` loop early does not end the queue; `end()` (graceful:
 * buffered frames are still delivered) and `clear()` (drop them) do.
 */
export class FrameQueue implements AsyncIterable<Uint8Array> {
  readonly highWaterMark: number
  private readonly frames: Uint8Array[] = []
  private readonly waiters: Waiter[] = []
  private readonly onRead: (() => void) | undefined
  private ended = false

  constructor (init: FrameQueueInit = {}) {
    this.highWaterMark = init.highWaterMark ?? DEFAULT_RECEIVE_HIGH_WATER_MARK
    this.onRead = init.onRead
    if (!(this.highWaterMark >= 1)) throw new RangeError('highWaterMark must be at least 1')
  }

  /** Frames buffered and not yet read. */
  get size (): number {
    return this.frames.length
  }

  /** True when at or over the high-water mark. */
  get full (): boolean {
    return this.frames.length >= this.highWaterMark
  }

  get isEnded (): boolean {
    return this.ended
  }

  /**
   * Deliver a frame (dropped if the queue has ended). Returns false when the
   * queue is now full and the source should hold off.
   */
  push (frame: Uint8Array): boolean {
    if (this.ended) return false
    const waiter = this.waiters.shift()
    if (waiter !== undefined) {
      waiter({ done: false, value: frame })
      return true
    }
    this.frames.push(frame)
    return !this.full
  }

  /** No more frames will come; readers get what is buffered, then done. */
  end (): void {
    this.ended = true
    if (this.frames.length === 0) this.releaseWaiters()
  }

  /** End now, dropping buffered frames. */
  clear (): void {
    this.ended = true
    this.frames.length = 0
    this.releaseWaiters()
  }

  async next (): Promise<IteratorResult<Uint8Array>> {
    const frame = this.frames.shift()
    if (frame !== undefined) {
      this.onRead?.()
      return { done: false, value: frame }
    }
    if (this.ended) return { done: true, value: undefined }
    return new Promise(resolve => { this.waiters.push(resolve) })
  }

  [Symbol.asyncIterator] (): AsyncIterator<Uint8Array> {
    return {
      next: async () => this.next(),
      return: async () => ({ done: true, value: undefined })
    }
  }

  private releaseWaiters (): void {
    for (const waiter of this.waiters.splice(0)) waiter({ done: true, value: undefined })
  }
}
