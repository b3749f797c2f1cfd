import { DecryptionError, InvalidArgumentError, InvalidKeyError, OutOfRangeError } from '../errors.js'
import { chunkNonces } from './nonce.js'
import { cryptoProvider, type BlockAead } from './provider.js'
import { deriveMessageKeys, equalBytes } from './derive.js'
import { checkKey, resolveSalt } from './params.js'
import { DEFAULT_AEAD, type Aead, type CobblestoneInit } from './constants.js'
import {
  CHUNK_SIZE, COMMITMENT_SIZE, HEADER_SIZE, MAX_CHUNK_COUNT, NONCE_SIZE, SALT_SIZE, SEALED_CHUNK_SIZE, TAG_SIZE
} from './geometry.js'

/**
 * Seals and opens the chunks of one message under its derived key and base
 * nonce, through the platform's `CryptoProvider` (Web Crypto unless the
 * platform installed another, or `init.provider`). It knows nothing of
 * streams: callers say which chunk is which, and the streaming layers
 * enforce the final-chunk rule. The block-at-a-time calls (`sealInto`,
 * `openRun`) are the hot path: one provider call per block of chunks.
 */
export class ChunkCipher {
  readonly aead: Aead
  readonly #key: BlockAead
  readonly #baseNonce: Uint8Array

  private constructor (aead: Aead, key: BlockAead, baseNonce: Uint8Array) {
    this.aead = aead
    this.#key = key
    this.#baseNonce = baseNonce
  }

  /** A cipher for a new message, and its header (salt ‖ commitment). */
  static async create (
    inputKey: Uint8Array, context: Uint8Array, init: CobblestoneInit = {}
  ): Promise<{ cipher: ChunkCipher, header: Uint8Array }> {
    checkKey(inputKey, init.aead)
    const salt = resolveSalt(init)
    const keys = await deriveMessageKeys(inputKey, salt, context, init.aead)
    const cipher = await ChunkCipher.fromRaw(keys.aeadKey, keys.baseNonce, init)
    const header = new Uint8Array(HEADER_SIZE)
    header.set(salt, 0)
    header.set(keys.commitment, SALT_SIZE)
    keys.aeadKey.fill(0)
    return { cipher, header }
  }

  /** The cipher for an existing message; rejects with DecryptionError unless the commitment matches. */
  static async open (
    inputKey: Uint8Array, context: Uint8Array, header: Uint8Array, init: CobblestoneInit = {}
  ): Promise<ChunkCipher> {
    checkKey(inputKey, init.aead)
    if (header.length !== HEADER_SIZE) throw new DecryptionError()
    const keys = await deriveMessageKeys(inputKey, header.subarray(0, SALT_SIZE), context, init.aead)
    if (!equalBytes(keys.commitment, header.subarray(SALT_SIZE, SALT_SIZE + COMMITMENT_SIZE))) {
      keys.aeadKey.fill(0)
      throw new DecryptionError()
    }
    const cipher = await ChunkCipher.fromRaw(keys.aeadKey, keys.baseNonce, init)
    keys.aeadKey.fill(0)
    return cipher
  }

  /** Raw mode (no salt, no commitment): a hazmat entry point, for vectors and protocols. */
  static async fromRaw (aeadKey: Uint8Array, baseNonce: Uint8Array, init: CobblestoneInit = {}): Promise<ChunkCipher> {
    checkKey(aeadKey, init.aead, 'AEAD key')
    if (!(baseNonce instanceof Uint8Array) || baseNonce.length !== NONCE_SIZE) {
      throw new InvalidKeyError(`base nonce must be ${NONCE_SIZE} bytes`)
    }
    const key = await (init.provider ?? cryptoProvider()).importAeadKey(aeadKey)
    return new ChunkCipher(init.aead ?? DEFAULT_AEAD, key, baseNonce.slice())
  }

  /** Seals chunk `index`: CHUNK_SIZE bytes, or fewer for the final chunk. */
  async seal (index: number, plaintext: Uint8Array): Promise<Uint8Array> {
    if (plaintext.length > CHUNK_SIZE) throw new OutOfRangeError(`a chunk holds at most ${CHUNK_SIZE} bytes`)
    if (!(index < MAX_CHUNK_COUNT)) throw new OutOfRangeError('message exceeds the maximum chunk count')
    const out = new Uint8Array(plaintext.length + TAG_SIZE)
    await this.#key.sealChunks(chunkNonces(this.#baseNonce, index, 1), [plaintext], out, 0)
    return out
  }

  /** Opens sealed chunk `index`; rejects with DecryptionError and releases nothing if it fails. */
  async open (index: number, sealed: Uint8Array): Promise<Uint8Array> {
    if (sealed.length < TAG_SIZE || sealed.length > SEALED_CHUNK_SIZE) throw new DecryptionError()
    return await this.openRun(index, sealed)
  }

  /** Seals consecutive chunks from `firstIndex`, in one provider call. */
  async sealMany (firstIndex: number, chunks: Uint8Array[]): Promise<Uint8Array[]> {
    let length = 0
    for (const chunk of chunks) length += chunk.length + TAG_SIZE
    const out = new Uint8Array(length)
    await this.sealInto(firstIndex, chunks, out)
    return chunks.map((chunk, j) => out.subarray(j * SEALED_CHUNK_SIZE, j * SEALED_CHUNK_SIZE + chunk.length + TAG_SIZE))
  }

  /**
   * Seals consecutive chunks from `firstIndex` straight into `out`: sealed
   * chunk j lands at `offset + j * SEALED_CHUNK_SIZE`, with no intermediate
   * array. One provider call for all of them; every chunk but the last must
   * be full, and `out` must have room for all of them.
   */
  async sealInto (firstIndex: number, chunks: Uint8Array[], out: Uint8Array, offset = 0): Promise<void> {
    const last = chunks.length - 1
    if (last < 0) return
    if (chunks.some((chunk, j) => j < last ? chunk.length !== CHUNK_SIZE : chunk.length > CHUNK_SIZE)) {
      throw new InvalidArgumentError('only the last chunk may be short')
    }
    if (!Number.isSafeInteger(firstIndex) || firstIndex < 0 || firstIndex + last >= MAX_CHUNK_COUNT) {
      throw new OutOfRangeError('message exceeds the maximum chunk count')
    }
    const end = offset + last * SEALED_CHUNK_SIZE + (chunks[last] as Uint8Array).length + TAG_SIZE
    if (offset < 0 || end > out.length) throw new InvalidArgumentError('output too small for the sealed chunks')
    await this.#key.sealChunks(chunkNonces(this.#baseNonce, firstIndex, chunks.length), chunks, out, offset)
  }

  /**
   * Opens the consecutive sealed chunks in `sealed` (chunk `firstIndex`
   * first, every one but the last full) into one plaintext buffer: one
   * provider call for a whole block. The plaintext goes into the start of
   * `into` when given (a buffer the caller reuses; the result is a view of
   * it), else into a fresh buffer. Rejects with DecryptionError, releasing
   * nothing (`into` is zeroed), if any chunk fails.
   */
  async openRun (firstIndex: number, sealed: Uint8Array, into?: Uint8Array): Promise<Uint8Array> {
    const count = Math.ceil(sealed.length / SEALED_CHUNK_SIZE)
    const lastLength = sealed.length - (count - 1) * SEALED_CHUNK_SIZE
    if (count === 0 || lastLength < TAG_SIZE) throw new DecryptionError()
    if (!Number.isSafeInteger(firstIndex) || firstIndex < 0 || firstIndex + count > MAX_CHUNK_COUNT) throw new DecryptionError()
    const length = sealed.length - count * TAG_SIZE
    if (into !== undefined && into.length < length) throw new InvalidArgumentError('output too small for the opened chunks')
    const out = into === undefined ? new Uint8Array(length) : into.subarray(0, length)
    try {
      await this.#key.openChunks(chunkNonces(this.#baseNonce, firstIndex, count), sealed, out)
    } catch (cause) {
      out.fill(0)
      throw cause instanceof DecryptionError ? cause : new DecryptionError({ cause })
    }
    return out
  }

  /** Opens consecutive chunks from `firstIndex`, one provider call per chunk, all in flight at once. */
  async openMany (firstIndex: number, sealed: Uint8Array[]): Promise<Uint8Array[]> {
    return await Promise.all(sealed.map(async (chunk, i) => await this.open(firstIndex + i, chunk)))
  }
}
