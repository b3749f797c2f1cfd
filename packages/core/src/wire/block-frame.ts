import { encode } from 'cborg'
import { FrameTooLargeError, InvalidArgumentError } from '../errors.js'
import { MAX_FRAME_SIZE } from './limits.js'
import type { BlockMessage } from './messages.js'
import { validateMessage } from './schema.js'

/**
 * A `block` frame laid out around its data before the data exists: `frame` is
 * byte for byte what `encodeMessage` gives for the message whose `data` is
 * whatever `body` holds when the frame is sent. A producer writes the data
 * straight into `body` (a store reading the block from disk) and the frame goes
 * out as is: the block is never copied into a frame of its own.
 */
export interface BlockFrame {
  frame: Uint8Array<ArrayBuffer>
  /** `frame`'s data bytes: exactly the length asked for. */
  body: Uint8Array<ArrayBuffer>
}

const ENCODE_OPTIONS = { ignoreUndefinedProperties: true }
const EMPTY = new Uint8Array(0)
/** The `data` key (text of 4 bytes) followed by an empty byte string: where the data goes. */
const DATA_SLOT = Uint8Array.of(0x64, 0x64, 0x61, 0x74, 0x61, 0x40)

/**
 * The frame of `fields` with `length` bytes of data (zeros until written).
 * Bounds `length` by `maxFrameSize` before anything is allocated, then
 * validates the message with `encodeMessage`'s schema check (`MalformedFrameError`,
 * `FrameTooLargeError` for the whole frame). Undefined in the rare case where the
 * header's own bytes spell the data slot again (the caller then frames the
 * block with `encodeMessage`).
 */
export function blockFrame (fields: Omit<BlockMessage, 'data'>, length: number, maxFrameSize = MAX_FRAME_SIZE): BlockFrame | undefined {
  // Deterministic CBOR sorts keys by their encoding, not by their values: the
  // message with empty data encodes as the real one does, up to the data's
  // byte string (its length header and bytes).
  if (!Number.isSafeInteger(length) || length < 0) throw new InvalidArgumentError(`block frame: bad data length ${length}`)
  if (length > maxFrameSize) throw new FrameTooLargeError(`block frame of over ${length} bytes exceeds ${maxFrameSize}`)
  const shape = encode({ ...fields, data: EMPTY }, ENCODE_OPTIONS)
  const at = uniqueIndex(shape, DATA_SLOT)
  if (at === undefined) return undefined
  const split = at + DATA_SLOT.length - 1 // the empty byte string's header
  const header = byteStringHeader(length)
  const frameLength = shape.length - 1 + header.length + length
  if (frameLength > maxFrameSize) throw new FrameTooLargeError(`block frame of ${frameLength} bytes exceeds ${maxFrameSize}`)
  const frame = new Uint8Array(frameLength)
  frame.set(shape.subarray(0, split), 0)
  frame.set(header, split)
  const start = split + header.length
  frame.set(shape.subarray(split + 1), start + length)
  const body = frame.subarray(start, start + length)
  validateMessage({ ...fields, data: body })
  return { frame, body }
}

/** The only index of `needle` in `bytes`, or undefined if it is absent or occurs more than once. */
function uniqueIndex (bytes: Uint8Array, needle: Uint8Array): number | undefined {
  let found: number | undefined
  for (let i = bytes.indexOf(needle[0] as number); i !== -1 && i + needle.length <= bytes.length; i = bytes.indexOf(needle[0] as number, i + 1)) {
    let j = 1
    while (j < needle.length && bytes[i + j] === needle[j]) j++
    if (j < needle.length) continue
    if (found !== undefined) return undefined
    found = i
  }
  return found
}

/** RFC 8949 §3: a byte string's head (major type 2) for `length` bytes, shortest form, as cborg writes it. */
function byteStringHeader (length: number): Uint8Array {
  if (length < 24) return Uint8Array.of(0x40 | length)
  if (length < 0x100) return Uint8Array.of(0x58, length)
  if (length < 0x10000) return Uint8Array.of(0x59, length >>> 8, length & 0xff)
  if (length < 2 ** 32) return Uint8Array.of(0x5a, length >>> 24, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff)
  throw new FrameTooLargeError(`a byte string of ${length} bytes is larger than any frame`)
}
