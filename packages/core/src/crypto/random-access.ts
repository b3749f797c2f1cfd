import { DecryptionError, OutOfRangeError } from '../errors.js'
import { ChunkCipher } from './chunk-cipher.js'
import type { CobblestoneInit } from './constants.js'
import { CHUNK_SIZE, HEADER_SIZE, SEALED_CHUNK_SIZE, plaintextLength, sealedChunkLength } from './geometry.js'
import { InFlight } from './in-flight.js'
import { checkKey, resolveConcurrency } from './params.js'
import { stickyFailure } from './sticky.js'

/**
 * Random access: the one implementation of "decrypt plaintext bytes
 * [offset, offset + length) of a message, opening only the chunks that hold
 * them". `readFile` (file/read.ts) runs `openRange` over a file's content
 * blocks; `decryptRange` runs it over any ciphertext it can read by offset.
 */

/** Reads `length` bytes at `offset`. */
export type RangeReader = (offset: number, length: number) => Promise<Uint8Array>

export interface PlaintextRange {
  /** First plaintext byte; defaults to 0. */
  offset?: number
  /** Bytes to read; defaults to (and is clipped at) the end of the message. */
  length?: number
}

/** Plaintext `[start, end)` of a message, and the chunks `[first, last]` that hold it. */
export interface ChunkSpan {
  start: number
  end: number
  first: number
  last: number
}

/**
 * The chunks to open for `range` of a `total`-byte message; undefined when
 * there are none. A range that reaches the end of the message (even an empty
 * one at `total`) includes the final chunk, which authenticates the length;
 * an empty range short of the end opens nothing. `OutOfRangeError` for an
 * offset outside the message or a length that is not a whole number ≥ 0.
 */
export function chunkSpan (total: number, range: PlaintextRange): ChunkSpan | undefined {
  const start = range.offset ?? 0
  if (!Number.isSafeInteger(start) || start < 0 || start > total) {
    throw new OutOfRangeError(`range offset ${start} outside a ${total}-byte message`)
  }
  const length = range.length ?? total - start
  if (!Number.isSafeInteger(length) || length < 0) throw new OutOfRangeError(`invalid range length ${length}`)
  const end = Math.min(total, start + length)
  if (end === start && end < total) return undefined
  const last = end === total ? Math.floor(total / CHUNK_SIZE) : Math.floor((end - 1) / CHUNK_SIZE)
  return { start, end, first: Math.floor(start / CHUNK_SIZE), last }
}

export interface OpenRangeInit {
  /**
   * Chunks per window: one `readBody` call and one batch of Web Crypto calls.
   * Windows are aligned to multiples of it, so with CHUNKS_PER_BLOCK a
   * window never crosses a content block.
   */
  window: number
  /** Windows read and opened ahead of the one being consumed (default 1); see `Ahead`. */
  ahead?: Ahead
  /**
   * Reuse plaintext buffers: a yielded part is valid only until the consumer
   * asks for the next one (with `held`: until `held + 1` later ones), when its
   * buffer goes back to a pool of at most `ahead + 2 + held` window-sized
   * buffers (the largest `ahead` given; the pool keeps them until the read
   * ends) instead of a fresh buffer per window.
   */
  recycle?: boolean
  /**
   * With `recycle`: parts the consumer still holds after asking for the next
   * (default 0). A part's buffer goes back to the pool only once `held + 1`
   * later parts have been asked for, so a consumer may keep up to `held`
   * writes of earlier parts in flight; the pool grows by `held`.
   */
  held?: number
  /**
   * What of each window's part the consumer gets (`readFile` drops the
   * padding). A part cut to nothing is not yielded, and with `recycle` its
   * buffer is not one the consumer holds.
   */
  cut?: (part: Uint8Array) => Uint8Array
}

/**
 * Decrypts plaintext bytes [offset, offset + length) of a message of
 * `ciphertextLength` bytes, reading only the header and the chunks that hold
 * them. The commitment is checked first. A range that reaches the end of the
 * message (even an empty one, `{ offset: plaintextLength(n), length: 0 }`)
 * also opens the final chunk, which authenticates the message length.
 * Chunks are read and opened `concurrency` at a time, in windows aligned to
 * multiples of `concurrency` (with the default, one window is one block).
 */
export function decryptRange (
  inputKey: Uint8Array, context: Uint8Array, read: RangeReader, ciphertextLength: number,
  range: PlaintextRange = {}, init: CobblestoneInit = {}
): AsyncIterableIterator<Uint8Array> {
  checkKey(inputKey, init.aead)
  const window = resolveConcurrency(init)
  return stickyFailure(async function * () {
    const total = plaintextLength(ciphertextLength)
    const span = chunkSpan(total, range)
    const header = await read(0, HEADER_SIZE)
    if (header.length !== HEADER_SIZE) throw new DecryptionError()
    const cipher = await ChunkCipher.open(inputKey, context, header, init)
    if (span === undefined) return
    yield * openRange(cipher, async (offset, length) => await read(HEADER_SIZE + offset, length), total, span, { window })
  }())
}

/**
 * Opens the chunks of `span` of a `total`-byte message whose sealed chunks
 * `readBody` reads (offsets relative to the first chunk, so raw mode uses it
 * too), and yields the requested bytes in order, chunk by chunk.
 */
export async function * openRange (
  cipher: ChunkCipher, readBody: RangeReader, total: number, span: ChunkSpan, init: OpenRangeInit
): AsyncGenerator<Uint8Array, void, undefined> {
  for await (const parts of openWindows(cipher, readBody, total, span, init)) yield * parts
}

/**
 * How far ahead a pipeline works: a number, or a function asked each time
 * it starts more work (a depth that adapts while it runs). Either must give a
 * whole number ≥ 0 (else `OutOfRangeError`).
 */
export type Ahead = number | (() => number)

/** `ahead` as a function that checks each value it gives. */
export function aheadOf (ahead: Ahead): () => number {
  const given = typeof ahead === 'number' ? () => ahead : ahead
  return () => {
    const value = given()
    if (!Number.isSafeInteger(value) || value < 0) throw new OutOfRangeError(`invalid ahead ${value}`)
    return value
  }
}

/**
 * `openRange` one window at a time: each window's requested bytes, cut to the
 * span, empty parts dropped. Each window is read and opened as a whole,
 * `ahead` windows in advance. (`readFile` consumes this form: one async step
 * per block rather than per chunk.)
 */
export async function * openWindows (
  cipher: ChunkCipher, readBody: RangeReader, total: number, span: ChunkSpan, init: OpenRangeInit
): AsyncGenerator<Uint8Array[], void, undefined> {
  const windows = windowsOf(span, init.window)
  const ahead = aheadOf(init.ahead ?? 1)
  const opening = new InFlight<Uint8Array>()
  // With `recycle`: buffers no window holds. Every window in flight or yielded holds one.
  const free: Uint8Array[] = []
  // With `recycle`: buffers of windows already consumed that the consumer may still hold, oldest first.
  const held: Uint8Array[] = []
  const holds = init.held ?? 0
  if (!Number.isSafeInteger(holds) || holds < 0) throw new OutOfRangeError(`invalid held ${holds}`)
  const fill = (): void => {
    while (opening.size <= ahead()) {
      const next = windows.next()
      if (next.done === true) return
      const into = init.recycle === true ? free.pop() ?? new Uint8Array(init.window * CHUNK_SIZE) : undefined
      opening.push(openWindow(cipher, readBody, total, next.value[0], next.value[1], into))
    }
  }
  for (const [first] of windowsOf(span, init.window)) {
    fill()
    // One buffer per window: the plaintext of chunks first… from plaintext offset first * CHUNK_SIZE.
    const plaintext = await opening.shift()
    const base = first * CHUNK_SIZE
    const from = Math.max(0, span.start - base)
    const to = Math.min(plaintext.length, span.end - base)
    const part = to > from ? plaintext.subarray(from, to) : undefined
    const shown = part === undefined || init.cut === undefined ? part : init.cut(part)
    const seen = shown !== undefined && shown.length > 0
    yield seen ? [shown] : []
    if (init.recycle !== true) continue
    const buffer = new Uint8Array(plaintext.buffer, plaintext.byteOffset, init.window * CHUNK_SIZE)
    if (!seen) {
      free.push(buffer) // the consumer never saw it
      continue
    }
    // The consumer asked for the next window: it is done with the one it saw `holds` windows before this one.
    held.push(buffer)
    if (held.length > holds) free.push(held.shift() as Uint8Array)
  }
}

/** [first, last] chunk indexes per window. */
function * windowsOf (span: ChunkSpan, size: number): Generator<[number, number]> {
  for (let first = span.first; first <= span.last;) {
    const windowLast = Math.min(span.last, (Math.floor(first / size) + 1) * size - 1)
    yield [first, windowLast]
    first = windowLast + 1
  }
}

/** Reads and opens chunks `first…last` into one buffer (`into`, if given); DecryptionError if the read comes back short or long. */
async function openWindow (
  cipher: ChunkCipher, readBody: RangeReader, total: number, first: number, last: number, into?: Uint8Array
): Promise<Uint8Array> {
  const length = (last - first) * SEALED_CHUNK_SIZE + sealedChunkLength(total, last)
  const bytes = await readBody(first * SEALED_CHUNK_SIZE, length)
  if (bytes.length !== length) throw new DecryptionError()
  return await cipher.openRun(first, bytes, into)
}
