/**
 * Credit-based flow control for a data channel, which cannot be paused: the
 * receiver grants the sender credit for bytes its reader has taken, and the
 * sender never has more than `window` bytes unacknowledged. A busy receiving
 * tab therefore holds at most one window per connection, and its sender stalls
 * instead of piling data into it.
 *
 * On the channel every message starts with a tag byte: `0` then a frame, or
 * `1` then a big-endian uint32 count of bytes read.
 */
import { ConnectionClosedError, ProtocolError } from '@cairn/core'

/** Bytes a sender may have in flight unacknowledged. */
export const DEFAULT_CREDIT_WINDOW = 4 * 1024 * 1024

const DATA = 0
const CREDIT = 1

export type ChannelMessage =
  | { kind: 'data', frame: Uint8Array }
  | { kind: 'credit', bytes: number }

export function encodeData (frame: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(frame.length + 1)
  out[0] = DATA
  out.set(frame, 1)
  return out
}

export function encodeCredit (bytes: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(5)
  out[0] = CREDIT
  new DataView(out.buffer).setUint32(1, bytes)
  return out
}

/** Throws `ProtocolError` on an empty message, an unknown tag or a bad credit. */
export function decodeChannelMessage (message: Uint8Array): ChannelMessage {
  if (message[0] === DATA) return { kind: 'data', frame: message.subarray(1) }
  if (message[0] === CREDIT && message.length === 5) {
    const view = new DataView(message.buffer, message.byteOffset, message.byteLength)
    return { kind: 'credit', bytes: view.getUint32(1) }
  }
  throw new ProtocolError('malformed data channel message')
}

/** The sender's side: how much it may still send. */
export class SendWindow {
  private inFlight = 0
  private waiters: Array<{ resolve: () => void, reject: (err: Error) => void }> = []
  private failure: Error | undefined

  constructor (readonly size = DEFAULT_CREDIT_WINDOW) {}

  /** Wait until a frame of `bytes` fits, then count it as in flight. */
  async reserve (bytes: number): Promise<void> {
    // Always let one frame through an empty window, however large.
    while (this.inFlight > 0 && this.inFlight + bytes > this.size) {
      if (this.failure !== undefined) throw this.failure
      await new Promise<void>((resolve, reject) => { this.waiters.push({ resolve, reject }) })
    }
    if (this.failure !== undefined) throw this.failure
    this.inFlight += bytes
  }

  /** The receiver read `bytes`. Throws `ProtocolError` if it acknowledges more than was sent. */
  credit (bytes: number): void {
    if (bytes > this.inFlight) throw new ProtocolError(`credit of ${bytes} bytes exceeds ${this.inFlight} in flight`)
    this.inFlight -= bytes
    for (const waiter of this.waiters.splice(0)) waiter.resolve()
  }

  /** Reject every waiting and future `reserve`. */
  close (err: Error = new ConnectionClosedError('connection closed')): void {
    this.failure ??= err
    for (const waiter of this.waiters.splice(0)) waiter.reject(this.failure)
  }
}

/** The receiver's side: grant credit in batches as the reader takes frames. */
export class ReceiveCredit {
  private owed = 0

  constructor (private readonly grant: (bytes: number) => void,
    private readonly batch = DEFAULT_CREDIT_WINDOW / 8) {}

  /** The reader took a frame of `bytes`. */
  read (bytes: number): void {
    this.owed += bytes
    if (this.owed >= this.batch) this.flush()
  }

  /** Grant what is owed now (e.g. when the reader goes idle). */
  flush (): void {
    if (this.owed === 0) return
    const bytes = this.owed
    this.owed = 0
    this.grant(bytes)
  }
}
