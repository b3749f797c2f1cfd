import { OutOfRangeError } from '../errors.js'

/** Frames a connection buffers for its reader before it pushes back. */
export const DEFAULT_RECEIVE_HIGH_WATER_MARK = 16

export interface FrameQueueInit {
  /** Frames held before `push` reports the queue full. */
  highWaterMark?: number
  /**
   * Bytes held at most, for sources that cannot be paused (a browser's data
   * channel or WebSocket): `offer` refuses a frame past it. Default unbounded.
   */
  maxBytes?: number
  /** Called with its size each time the reader takes a frame (room has opened). */
  onRead?: (bytes: number) => void
}

type Waiter = (result: IteratorResult<Uint8Array>) => void

/**
 * The receive side of a connection: an async-iterable FIFO of frames with a
 * high-water mark. The adapter `push`es what arrives and, when `push` returns
 * false, stops taking more from its source (stalls the writer, or pauses the
 * socket) until `onRead` reports room.
 *
 * A source that cannot be paused `offer`s instead, and treats a refusal (the
 * queue would pass `maxBytes`) as the peer ignoring flow control.
 *
 * Several iterators may pull from one queue, each frame going to one of them.
 * Leaving a `for await` loop early does not end the queue; `end()` (graceful:
 * buffered frames are still delivered) and `clear()` (drop them) do.
 */
export class FrameQueue implements AsyncIterable<Uint8Array> {
  readonly highWaterMark: number
  readonly maxBytes: number
  private readonly frames: Uint8Array[] = []
  /** Index of the next frame to read in `frames` (taken frames are compacted away in batches). */
  private head = 0
  private held = 0
  private readonly waiters: Waiter[] = []
  private readonly onRead: ((bytes: number) => void) | undefined
  private ended = false

  constructor (init: FrameQueueInit = {}) {
    this.highWaterMark = init.highWaterMark ?? DEFAULT_RECEIVE_HIGH_WATER_MARK
    this.maxBytes = init.maxBytes ?? Infinity
    this.onRead = init.onRead
    if (!(this.highWaterMark >= 1)) throw new OutOfRangeError('highWaterMark must be at least 1')
    if (!(this.maxBytes >= 0)) throw new OutOfRangeError('maxBytes must not be negative')
  }

  /** Frames buffered and not yet read. */
  get size (): number {
    return this.frames.length - this.head
  }

  /** Bytes buffered and not yet read. */
  get bytes (): number {
    return this.held
  }

  /** True when at or over the high-water mark. */
  get full (): boolean {
    return this.size >= this.highWaterMark
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
    this.deliver(frame)
    return !this.full
  }

  /**
   * Deliver a frame unless holding it would pass `maxBytes`. Returns false if
   * refused (the frame is dropped); a frame after the end is dropped quietly.
   */
  offer (frame: Uint8Array): boolean {
    if (this.ended) return true
    if (this.waiters.length === 0 && this.held + frame.length > this.maxBytes) return false
    this.deliver(frame)
    return true
  }

  /** No more frames will come; readers get what is buffered, then done. */
  end (): void {
    this.ended = true
    if (this.size === 0) this.releaseWaiters()
  }

  /** End now, dropping buffered frames. */
  clear (): void {
    this.ended = true
    this.frames.length = 0
    this.head = 0
    this.held = 0
    this.releaseWaiters()
  }

  async next (): Promise<IteratorResult<Uint8Array>> {
    if (this.head < this.frames.length) {
      const frame = this.frames[this.head]!
      this.frames[this.head++] = EMPTY
      this.held -= frame.length
      if (this.head === this.frames.length) {
        this.frames.length = 0
        this.head = 0
      } else if (this.head >= COMPACT_AFTER && this.head * 2 >= this.frames.length) {
        this.frames.splice(0, this.head)
        this.head = 0
      }
      this.onRead?.(frame.length)
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

  private deliver (frame: Uint8Array): void {
    const waiter = this.waiters.shift()
    if (waiter !== undefined) {
      this.onRead?.(frame.length)
      waiter({ done: false, value: frame })
      return
    }
    this.frames.push(frame)
    this.held += frame.length
  }

  private releaseWaiters (): void {
    for (const waiter of this.waiters.splice(0)) waiter({ done: true, value: undefined })
  }
}

/** Taken frames left at the front of the array before it is compacted. */
const COMPACT_AFTER = 1024
const EMPTY = new Uint8Array(0)
