import { FrameTooLargeError, MalformedFrameError } from '../errors.js'
import { MAX_FRAME_SIZE } from './limits.js'

/*
 * Length-prefixed framing for byte-stream transports: each frame is preceded
 * by its length as a 4-byte big-endian unsigned integer.
 */

/** Bytes of the length prefix. */
export const LENGTH_PREFIX_BYTES = 4
const MAX_PREFIXED_LENGTH = 0xffffffff

export interface FrameReaderInit {
  /** Largest frame accepted, checked on the prefix. Default `MAX_FRAME_SIZE`. */
  maxFrameSize?: number
}

/** The 4-byte prefix for a frame of `length` bytes (write it, then the frame). */
export function encodeLengthPrefix (length: number): Uint8Array<ArrayBuffer> {
  if (!Number.isSafeInteger(length) || length < 0 || length > MAX_PREFIXED_LENGTH) {
    throw new FrameTooLargeError(`frame of ${length} bytes cannot be length-prefixed`)
  }
  const prefix = new Uint8Array(LENGTH_PREFIX_BYTES)
  new DataView(prefix.buffer).setUint32(0, length)
  return prefix
}

/** `frame` with its length prefix, in one new buffer. */
export function encodeLengthPrefixed (frame: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(LENGTH_PREFIX_BYTES + frame.length)
  out.set(encodeLengthPrefix(frame.length))
  out.set(frame, LENGTH_PREFIX_BYTES)
  return out
}

/**
 * Cuts a byte stream into frames. A frame that arrives whole inside one chunk
 * is returned as a view into that chunk (do not reuse a chunk after pushing
 * it); a frame split across chunks is assembled in one buffer of exactly its
 * size, allocated only after its prefix passed the size check. Memory held
 * between pushes is at most one frame plus a partial prefix.
 *
 * After an error the stream cannot be resynchronised: every later `push`
 * throws the same error.
 */
export class FrameReader {
  readonly maxFrameSize: number
  private readonly prefix = new Uint8Array(LENGTH_PREFIX_BYTES)
  private prefixFill = 0
  private frame: Uint8Array | undefined
  private frameFill = 0
  private failure: Error | undefined

  constructor (init: FrameReaderInit = {}) {
    this.maxFrameSize = init.maxFrameSize ?? MAX_FRAME_SIZE
  }

  /** Bytes received (prefix included) of a frame not yet complete. */
  get buffered (): number {
    return this.frame === undefined ? this.prefixFill : LENGTH_PREFIX_BYTES + this.frameFill
  }

  /** Feed the next chunk of the stream; returns the frames it completed, in order. */
  push (chunk: Uint8Array): Uint8Array[] {
    if (this.failure !== undefined) throw this.failure
    const frames: Uint8Array[] = []
    let at = 0
    while (at < chunk.length) {
      if (this.frame === undefined) {
        const length = this.readPrefix(chunk, at)
        if (length === undefined) break
        at += length.consumed
        if (chunk.length - at >= length.value) {
          frames.push(chunk.subarray(at, at + length.value))
          at += length.value
          continue
        }
        this.frame = new Uint8Array(length.value)
        this.frameFill = 0
      }
      at += this.fill(chunk, at, frames)
    }
    return frames
  }

  /** Declare the stream finished; throws if it stopped inside a frame. */
  end (): void {
    if (this.failure !== undefined) throw this.failure
    if (this.buffered > 0) {
      this.failure = new MalformedFrameError(`stream ended inside a frame (${this.buffered} bytes pending)`)
      throw this.failure
    }
  }

  /** Read (part of) a prefix from `chunk` at `at`; the length once complete. */
  private readPrefix (chunk: Uint8Array, at: number): { value: number, consumed: number } | undefined {
    let consumed = 0
    let value: number
    if (this.prefixFill === 0 && chunk.length - at >= LENGTH_PREFIX_BYTES) {
      value = readUint32(chunk, at)
      consumed = LENGTH_PREFIX_BYTES
    } else {
      consumed = Math.min(LENGTH_PREFIX_BYTES - this.prefixFill, chunk.length - at)
      this.prefix.set(chunk.subarray(at, at + consumed), this.prefixFill)
      this.prefixFill += consumed
      if (this.prefixFill < LENGTH_PREFIX_BYTES) return undefined
      this.prefixFill = 0
      value = readUint32(this.prefix, 0)
    }
    if (value > this.maxFrameSize) {
      this.failure = new FrameTooLargeError(`frame of ${value} bytes exceeds ${this.maxFrameSize}`)
      throw this.failure
    }
    return { value, consumed }
  }

  /** Copy bytes into the pending frame; returns how many were used. */
  private fill (chunk: Uint8Array, at: number, frames: Uint8Array[]): number {
    const frame = this.frame as Uint8Array
    const n = Math.min(frame.length - this.frameFill, chunk.length - at)
    frame.set(chunk.subarray(at, at + n), this.frameFill)
    this.frameFill += n
    if (this.frameFill === frame.length) {
      frames.push(frame)
      this.frame = undefined
      this.frameFill = 0
    }
    return n
  }
}

function readUint32 (bytes: Uint8Array, at: number): number {
  return ((bytes[at] as number) * 0x1000000) +
    (((bytes[at + 1] as number) << 16) | ((bytes[at + 2] as number) << 8) | (bytes[at + 3] as number))
}
