import { DecryptionError, InvalidArgumentError, InvalidKeyError, OutOfRangeError } from '../errors.js'
import { chunkNonce } from './nonce.js'
import { deriveMessageKeys, equalBytes } from './derive.js'
import { bufferSource, checkKey, resolveSalt } from './params.js'
import { DEFAULT_AEAD, type Aead, type CobblestoneInit } from './constants.js'
import {
  CHUNK_SIZE, COMMITMENT_SIZE, HEADER_SIZE, MAX_CHUNK_COUNT, NONCE_SIZE, SALT_SIZE, SEALED_CHUNK_SIZE, TAG_SIZE
} from './geometry.js'

/**
 * Seals and opens the chunks of one message under its derived key and base
 * nonce. It knows nothing of streams: callers say which chunk is which, and
 * the streaming layers enforce the final-chunk rule.
 */
export class ChunkCipher {
  readonly aead: Aead
  readonly #key: CryptoKey
  readonly #baseNonce: Uint8Array

  private constructor (aead: Aead, key: CryptoKey, baseNonce: Uint8Array) {
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
    const key = await crypto.subtle.importKey('raw', bufferSource(aeadKey), 'AES-GCM', false, ['encrypt', 'decrypt'])
    return new ChunkCipher(init.aead ?? DEFAULT_AEAD, key, baseNonce.slice())
  }

  /** Seals chunk `index`: CHUNK_SIZE bytes, or fewer for the final chunk. */
  async seal (index: number, plaintext: Uint8Array): Promise<Uint8Array> {
    if (plaintext.length > CHUNK_SIZE) throw new OutOfRangeError(`a chunk holds at most ${CHUNK_SIZE} bytes`)
    if (!(index < MAX_CHUNK_COUNT)) throw new OutOfRangeError('message exceeds the maximum chunk count')
    const iv = chunkNonce(this.#baseNonce, index)
    return new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: bufferSource(iv) }, this.#key, bufferSource(plaintext)))
  }

  /** Opens sealed chunk `index`; rejects with DecryptionError and releases nothing if it fails. */
  async open (index: number, sealed: Uint8Array): Promise<Uint8Array> {
    if (sealed.length < TAG_SIZE || sealed.length > SEALED_CHUNK_SIZE) throw new DecryptionError()
    if (!Number.isSafeInteger(index) || index < 0 || index >= MAX_CHUNK_COUNT) throw new DecryptionError()
    const iv = chunkNonce(this.#baseNonce, index)
    try {
      return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: bufferSource(iv) }, this.#key, bufferSource(sealed)))
    } catch (cause) {
      throw new DecryptionError({ cause })
    }
  }

  /** Seals consecutive chunks from `firstIndex`, all calls in flight at once. */
  async sealMany (firstIndex: number, chunks: Uint8Array[]): Promise<Uint8Array[]> {
    return await Promise.all(chunks.map(async (chunk, i) => await this.seal(firstIndex + i, chunk)))
  }

  /**
   * Seals consecutive chunks from `firstIndex` straight into `out`: sealed
   * chunk j lands at `offset + j * SEALED_CHUNK_SIZE` as soon as it is done,
   * with no intermediate array. All calls are in flight at once; every chunk
   * but the last must be full, and `out` must have room for all of them.
   */
  async sealInto (firstIndex: number, chunks: Uint8Array[], out: Uint8Array, offset = 0): Promise<void> {
    const last = chunks.length - 1
    if (chunks.some((chunk, j) => j < last && chunk.length !== CHUNK_SIZE)) throw new InvalidArgumentError('only the last chunk may be short')
    const end = offset + last * SEALED_CHUNK_SIZE + (chunks[last]?.length ?? -TAG_SIZE) + TAG_SIZE
    if (offset < 0 || end > out.length) throw new InvalidArgumentError('output too small for the sealed chunks')
    await Promise.all(chunks.map(async (chunk, j) => {
      out.set(await this.seal(firstIndex + j, chunk), offset + j * SEALED_CHUNK_SIZE)
    }))
  }

  /** Opens consecutive chunks from `firstIndex`, all calls in flight at once. */
  async openMany (firstIndex: number, sealed: Uint8Array[]): Promise<Uint8Array[]> {
    return await Promise.all(sealed.map(async (chunk, i) => await this.open(firstIndex + i, chunk)))
  }
}
