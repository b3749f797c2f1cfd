/**
 * The receive queue of a browser connection. Neither a data channel nor a
 * native WebSocket can be paused, so this queue cannot push back on the
 * network by itself: what bounds it is flow control above it (over WebRTC the
 * connection's own credit window, see credit.ts; over a WebSocket the mesh's
 * windows of requests in flight). A peer that sends past `maxBytes` is
 * ignoring them; `push` reports it and the connection closes rather than
 * buffer without bound.
 */

/** Bytes a connection holds for its reader before it gives up on the peer. */
export const DEFAULT_INBOX_BYTES = 64 * 1024 * 1024

type Waiter = (result: IteratorResult<Uint8Array>) => void

export class Inbox implements AsyncIterable<Uint8Array> {
  readonly maxBytes: number
  private readonly frames: Uint8Array[] = []
  private head = 0
  private readonly waiters: Waiter[] = []
  private held = 0
  private ended = false

  /** `onRead` is told the size of each frame the reader takes. */
  constructor (maxBytes = DEFAULT_INBOX_BYTES, private readonly onRead?: (bytes: number) => void) {
    this.maxBytes = maxBytes
  }

  /** Bytes received and not yet read. */
  get bytes (): number {
    return this.held
  }

  /** Deliver a frame. False if it would overflow `maxBytes` (the frame is dropped). */
  push (frame: Uint8Array): boolean {
    if (this.ended) return true
    const waiter = this.waiters.shift()
    if (waiter !== undefined) {
      this.onRead?.(frame.length)
      waiter({ done: false, value: frame })
      return true
    }
    if (this.held + frame.length > this.maxBytes) return false
    this.frames.push(frame)
    this.held += frame.length
    return true
  }

  /** No more frames: the reader gets what is buffered, then done. */
  end (): void {
    this.ended = true
    if (this.head >= this.frames.length) this.release()
  }

  /** End now and drop what is buffered. */
  clear (): void {
    this.ended = true
    this.frames.length = 0
    this.head = 0
    this.held = 0
    this.release()
  }

  async next (): Promise<IteratorResult<Uint8Array>> {
    if (this.head < this.frames.length) {
      const frame = this.frames[this.head]!
      this.frames[this.head++] = EMPTY
      this.held -= frame.length
      if (this.head > 1024 && this.head * 2 > this.frames.length) this.compact()
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

  private compact (): void {
    this.frames.splice(0, this.head)
    this.head = 0
  }

  private release (): void {
    for (const waiter of this.waiters.splice(0)) waiter({ done: true, value: undefined })
  }
}

const EMPTY = new Uint8Array(0)
