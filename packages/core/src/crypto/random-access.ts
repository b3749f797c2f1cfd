import { DecryptionError } from '../errors.js'
import { ChunkCipher } from './chunk-cipher.js'
import { plaintextLength, sealedChunkLength } from './layout.js'
import { checkKey, resolveConcurrency } from './params.js'
import { stickyFailure } from './sticky.js'
import { CHUNK_SIZE, HEADER_SIZE, SEALED_CHUNK_SIZE, type CobblestoneInit } from './constants.js'

/** Reads `length` bytes of ciphertext at `offset`. */
export type RangeReader = (offset: number, length: number) => Promise<Uint8Array>

export interface PlaintextRange {
  /** First plaintext byte; defaults to 0. */
  offset?: number
  /** Bytes to read; defaults to (and is clipped at) the end of the message. */
  length?: number
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
  const concurrency = resolveConcurrency(init)
  return stickyFailure(async function * () {
    const total = plaintextLength(ciphertextLength)
    const [start, end] = resolveRange(range, total)
    const header = await readExactly(read, 0, HEADER_SIZE)
    const cipher = await ChunkCipher.open(inputKey, context, header, init)
    const readBody: RangeReader = async (offset, length) => await readExactly(read, HEADER_SIZE + offset, length)
    yield * openRange(cipher, readBody, total, start, end, concurrency)
  }())
}

/**
 * Opens the chunks covering plaintext [start, end) of a `total`-byte message
 * whose sealed chunks `readBody` reads (offsets relative to the first chunk,
 * so raw mode uses it too), and yields the requested bytes.
 */
export async function * openRange (
  cipher: ChunkCipher, readBody: RangeReader, total: number, start: number, end: number, concurrency: number
): AsyncGenerator<Uint8Array, void, undefined> {
  const windows = chunkWindows(total, start, end, concurrency)
  const fetchNext = (): Promise<Uint8Array[]> | undefined => {
    const next = windows.next()
    if (next.done === true) return undefined
    const pending = fetchWindow(cipher, readBody, total, next.value[0], next.value[1])
    pending.catch(() => {}) // awaited below; this only marks it handled if abandoned
    return pending
  }
  let current = fetchNext()
  let index = Math.floor(start / CHUNK_SIZE)
  while (current !== undefined) {
    const following = fetchNext() // read ahead one window while this one is consumed
    for (const plaintext of await current) {
      const from = Math.max(0, start - index * CHUNK_SIZE)
      const to = Math.min(plaintext.length, end - index * CHUNK_SIZE)
      if (to > from) yield plaintext.subarray(from, to)
      index++
    }
    current = following
  }
}

/** [first, last] chunk indexes per window; none for an empty range short of the end. */
function * chunkWindows (total: number, start: number, end: number, size: number): Generator<[number, number]> {
  const finalIndex = Math.floor(total / CHUNK_SIZE)
  if (end === start && end < total) return
  const last = end === total ? finalIndex : Math.floor((end - 1) / CHUNK_SIZE)
  for (let first = Math.floor(start / CHUNK_SIZE); first <= last;) {
    const windowLast = Math.min(last, (Math.floor(first / size) + 1) * size - 1)
    yield [first, windowLast]
    first = windowLast + 1
  }
}

async function fetchWindow (
  cipher: ChunkCipher, readBody: RangeReader, total: number, first: number, last: number
): Promise<Uint8Array[]> {
  const length = (last - first) * SEALED_CHUNK_SIZE + sealedChunkLength(total, last)
  const bytes = await readBody(first * SEALED_CHUNK_SIZE, length)
  const sealed: Uint8Array[] = []
  for (let offset = 0; offset < length; offset += SEALED_CHUNK_SIZE) {
    sealed.push(bytes.subarray(offset, Math.min(length, offset + SEALED_CHUNK_SIZE)))
  }
  return await cipher.openMany(first, sealed)
}

async function readExactly (read: RangeReader, offset: number, length: number): Promise<Uint8Array> {
  const bytes = await read(offset, length)
  if (bytes.length !== length) throw new DecryptionError()
  return bytes
}

function resolveRange (range: PlaintextRange, total: number): [number, number] {
  const start = range.offset ?? 0
  const length = range.length ?? total - start
  if (!Number.isSafeInteger(start) || start < 0 || start > total) {
    throw new RangeError(`range offset ${start} outside a ${total}-byte message`)
  }
  if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`invalid range length ${length}`)
  return [start, Math.min(total, start + length)]
}
