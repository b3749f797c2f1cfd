import { decode, encode } from 'cborg'
import { FrameTooLargeError, MalformedFrameError, WireError } from '../errors.js'
import { WireTokenizer } from './cbor-tokenizer.js'
import { MAX_FRAME_SIZE } from './limits.js'
import type { Message } from './messages.js'
import { validateMessage } from './schema.js'

export interface CodecOptions {
  /** Largest frame accepted or produced, in bytes. Default `MAX_FRAME_SIZE`. */
  maxFrameSize?: number
}

const ENCODE_OPTIONS = { ignoreUndefinedProperties: true }

/**
 * Validate `msg` and encode it as one frame: deterministic CBOR (shortest
 * integers, sorted keys), which `decodeMessage` accepts byte for byte. Optional
 * fields set to `undefined` are left out. The result owns its whole buffer.
 * Throws `MalformedFrameError`/`UnknownMessageError` for an invalid message and
 * `FrameTooLargeError` when the frame would exceed `maxFrameSize`.
 */
export function encodeMessage (msg: Message, options?: CodecOptions): Uint8Array<ArrayBuffer> {
  validateMessage(msg)
  const frame = ownBuffer(encode(msg, ENCODE_OPTIONS))
  const max = options?.maxFrameSize ?? MAX_FRAME_SIZE
  if (frame.length > max) {
    throw new FrameTooLargeError(`${msg.t} frame of ${frame.length} bytes exceeds ${max}`)
  }
  return frame
}

/** A plain Uint8Array over a whole buffer of its own (cborg may return pool views or Buffers). */
function ownBuffer (bytes: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) {
    return bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer)
  }
  const copy = new Uint8Array(bytes.length)
  copy.set(bytes)
  return copy
}

/**
 * Decode and validate one frame. The size is checked before any decoding.
 * Byte fields longer than 64 bytes (block data, signal data) are views into
 * `bytes` (zero copy): do not reuse `bytes` while the message is in use.
 * Throws only wire errors: `FrameTooLargeError`, `MalformedFrameError` (bad or
 * non-deterministic CBOR, wrong shape, limits exceeded; the cborg or block-id
 * error is kept as `cause`) and `UnknownMessageError`.
 */
export function decodeMessage (bytes: Uint8Array, options?: CodecOptions): Message {
  if (!(bytes instanceof Uint8Array)) throw new MalformedFrameError('malformed frame: not bytes')
  const max = options?.maxFrameSize ?? MAX_FRAME_SIZE
  if (bytes.length > max) throw new FrameTooLargeError(`frame of ${bytes.length} bytes exceeds ${max}`)
  let value: unknown
  try {
    value = decode(bytes, {
      tokenizer: new WireTokenizer(bytes),
      strict: true,
      rejectDuplicateMapKeys: true,
      allowIndefinite: false,
      allowUndefined: false,
      allowBigInt: false
    })
  } catch (cause) {
    if (cause instanceof WireError) throw cause
    throw new MalformedFrameError('malformed frame: invalid CBOR', { cause })
  }
  return validateMessage(value)
}
