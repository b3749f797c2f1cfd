import { Token, Type } from 'cborg'
import { MalformedFrameError } from '../errors.js'
import { MAX_ADDR_LENGTH, MAX_ERROR_MESSAGE, MAX_HAVE_CIDS, MAX_STATUS_PEERS } from './limits.js'

/*
 * A cborg tokenizer for the wire subset of CBOR. cborg builds the objects;
 * this class decides which bytes are acceptable and enforces structural limits
 * before anything is allocated:
 *
 * - unsigned integers up to 2^53 - 1, byte strings, UTF-8 text strings,
 *   definite-length arrays and maps, `true` and `false`. Nothing else: no
 *   negative integers, floats, null, undefined, simple values, tags or
 *   indefinite lengths.
 * - deterministic encoding (RFC 8949 §4.2.1): every argument in its shortest
 *   form, map keys are text strings in strictly increasing bytewise order of
 *   their encoding (so no duplicates). A message has exactly one encoding.
 * - the top-level item is a map; nesting, container sizes and the total number
 *   of items are capped to what the largest valid message needs.
 * - text must be well-formed UTF-8 (a BOM is kept, not stripped).
 * - byte strings longer than COPY_THRESHOLD are zero-copy views into the frame;
 *   shorter ones (ids, keys, signatures) are copied so they never pin a large
 *   frame in memory.
 */

/** Deepest nesting of containers: info → status → peers → peer → addrs. */
export const MAX_CBOR_DEPTH = 5
/** Most items in one array (the longest list any message carries). */
export const MAX_CBOR_ARRAY = Math.max(MAX_HAVE_CIDS, MAX_STATUS_PEERS)
/** Most entries in one map (the widest record, `info.status`, has 15 fields; room for one more). */
export const MAX_CBOR_MAP = 16
/** Longest text string in bytes (an error message of 512 UTF-16 units is at most 1536). */
export const MAX_CBOR_TEXT = Math.max(3 * MAX_ERROR_MESSAGE, MAX_ADDR_LENGTH)
/** Most items (tokens) in one frame: bounds what a frame can make the decoder allocate. */
export const MAX_CBOR_ITEMS = 32 * 1024
/** Byte strings up to this length are copied out of the frame; longer ones are views. */
export const COPY_THRESHOLD = 64

const MAJOR_UINT = 0
const MAJOR_BYTES = 2
const MAJOR_TEXT = 3
const MAJOR_ARRAY = 4
const MAJOR_MAP = 5
const MAJOR_SIMPLE = 7
const SIMPLE_FALSE = 20
const SIMPLE_TRUE = 21

interface OpenContainer {
  /** Items still to come (a map counts keys and values). */
  remaining: number
  isMap: boolean
  /** Encoded bytes of the previous key, as [start, end) in the frame. */
  keyStart: number
  keyEnd: number
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

function malformed (reason: string): never {
  throw new MalformedFrameError(`malformed frame: ${reason}`)
}

/** Compare two byte ranges of `data` lexicographically. */
function compareRanges (data: Uint8Array, a0: number, a1: number, b0: number, b1: number): number {
  const n = Math.min(a1 - a0, b1 - b0)
  for (let i = 0; i < n; i++) {
    const d = (data[a0 + i] as number) - (data[b0 + i] as number)
    if (d !== 0) return d
  }
  return (a1 - a0) - (b1 - b0)
}

export class WireTokenizer {
  private readonly data: Uint8Array
  private offset = 0
  private items = 0
  private readonly open: OpenContainer[] = []

  constructor (bytes: Uint8Array) {
    // A plain view: subclasses such as Node's Buffer have a `slice` that does not copy.
    this.data = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  done (): boolean { return this.offset >= this.data.length }

  pos (): number { return this.offset }

  next (): Token {
    const start = this.offset
    const initial = this.data[start] as number
    const major = initial >>> 5
    const arg = this.readArgument(initial & 31)
    if (++this.items > MAX_CBOR_ITEMS) malformed('too many items')
    if (this.items === 1 && major !== MAJOR_MAP) malformed('top level is not a map')
    const token = this.makeToken(major, arg, start)
    this.track(token, major, start)
    return token
  }

  /** Read the argument of the head at `offset`, advancing past the head. */
  private readArgument (info: number): number {
    const data = this.data
    const at = this.offset + 1
    if (info < 24) {
      this.offset = at
      return info
    }
    const size = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : 0
    if (size === 0) malformed(info === 31 ? 'indefinite length' : 'reserved additional information')
    if (at + size > data.length) malformed('truncated head')
    let value = 0
    for (let i = 0; i < size; i++) value = value * 256 + (data[at + i] as number)
    if (!Number.isSafeInteger(value)) malformed('integer too large')
    const floor = size === 1 ? 24 : size === 2 ? 0x100 : size === 4 ? 0x10000 : 0x100000000
    if (value < floor) malformed('non-shortest integer encoding')
    this.offset = at + size
    return value
  }

  private makeToken (major: number, arg: number, start: number): Token {
    switch (major) {
      case MAJOR_UINT: return new Token(Type.uint, arg, this.offset - start)
      case MAJOR_BYTES: return new Token(Type.bytes, this.readBytes(arg), this.offset - start)
      case MAJOR_TEXT: return new Token(Type.string, this.readText(arg), this.offset - start)
      case MAJOR_ARRAY:
        if (arg > MAX_CBOR_ARRAY || arg > this.data.length - this.offset) malformed('array too long')
        return new Token(Type.array, arg, this.offset - start)
      case MAJOR_MAP:
        if (arg > MAX_CBOR_MAP || arg * 2 > this.data.length - this.offset) malformed('map too large')
        return new Token(Type.map, arg, this.offset - start)
      case MAJOR_SIMPLE:
        // Floats have multi-byte heads; only the one-byte heads of false and true pass.
        if (this.offset - start === 1 && arg === SIMPLE_FALSE) return new Token(Type.false, false, 1)
        if (this.offset - start === 1 && arg === SIMPLE_TRUE) return new Token(Type.true, true, 1)
        return malformed('only true and false are allowed among simple values')
      default:
        return malformed(major === 1 ? 'negative integer' : 'tag')
    }
  }

  private readBytes (length: number): Uint8Array {
    const from = this.offset
    const to = from + length
    if (to > this.data.length) malformed('truncated byte string')
    this.offset = to
    return length <= COPY_THRESHOLD ? this.data.slice(from, to) : this.data.subarray(from, to)
  }

  private readText (length: number): string {
    const from = this.offset
    const to = from + length
    const data = this.data
    if (length > MAX_CBOR_TEXT) malformed('text string too long')
    if (to > data.length) malformed('truncated text string')
    this.offset = to
    if (length <= 32) {
      let ascii = ''
      let i = from
      for (; i < to && (data[i] as number) < 0x80; i++) ascii += String.fromCharCode(data[i] as number)
      if (i === to) return ascii
    }
    try {
      return utf8.decode(data.subarray(from, to))
    } catch (cause) {
      throw new MalformedFrameError('malformed frame: invalid UTF-8', { cause })
    }
  }

  /** Account for one item in its parent container and open it if it is one. */
  private track (token: Token, major: number, start: number): void {
    const open = this.open
    const parent = open[open.length - 1]
    if (parent !== undefined) {
      if (parent.isMap && parent.remaining % 2 === 0) this.checkKey(parent, major, start)
      parent.remaining--
    }
    if (major === MAJOR_ARRAY || major === MAJOR_MAP) {
      if (open.length + 1 > MAX_CBOR_DEPTH) malformed('nested too deeply')
      const count = token.value as number
      if (count > 0) {
        const isMap = major === MAJOR_MAP
        open.push({ remaining: isMap ? count * 2 : count, isMap, keyStart: 0, keyEnd: 0 })
        return
      }
    }
    while (open.length > 0 && (open[open.length - 1] as OpenContainer).remaining === 0) open.pop()
  }

  private checkKey (map: OpenContainer, major: number, start: number): void {
    if (major !== MAJOR_TEXT) malformed('map key is not a text string')
    const end = this.offset
    if (map.keyEnd > 0 && compareRanges(this.data, map.keyStart, map.keyEnd, start, end) >= 0) {
      malformed('map keys out of order or repeated')
    }
    map.keyStart = start
    map.keyEnd = end
  }
}
