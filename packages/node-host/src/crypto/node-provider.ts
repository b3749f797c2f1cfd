import { createCipheriv, createDecipheriv, createHash, createSecretKey, type CipherGCMTypes, type KeyObject } from 'node:crypto'
import { DecryptionError } from '@cairn/core'
import {
  CHUNK_SIZE, NONCE_SIZE, SEALED_CHUNK_SIZE, TAG_SIZE, setCryptoProvider, type BlockAead, type CryptoProvider
} from '@cairn/core/crypto'

/**
 * Core's `CryptoProvider` on `node:crypto` (OpenSSL): every call synchronous,
 * on the calling thread, a few µs of overhead per chunk, against Web
 * Crypto's promise, thread-pool hop, input copy and fresh ArrayBuffer per
 * chunk. A block of 64 chunks is sealed or opened in one call, each chunk
 * written into the caller's block buffer. Node gives no "update into" for
 * ciphers, so each chunk still passes through one short-lived Buffer that
 * OpenSSL writes and we copy into place.
 */
class NodeBlockAead implements BlockAead {
  readonly #key: KeyObject
  readonly #algorithm: CipherGCMTypes

  constructor (raw: Uint8Array) {
    this.#key = createSecretKey(raw)
    this.#algorithm = raw.length === 32 ? 'aes-256-gcm' : 'aes-128-gcm'
  }

  async sealChunks (nonces: Uint8Array, chunks: readonly Uint8Array[], out: Uint8Array, offset: number): Promise<void> {
    for (let j = 0; j < chunks.length; j++) {
      const chunk = chunks[j] as Uint8Array
      const at = offset + j * SEALED_CHUNK_SIZE
      const cipher = createCipheriv(this.#algorithm, this.#key, nonces.subarray(j * NONCE_SIZE, (j + 1) * NONCE_SIZE), { authTagLength: TAG_SIZE })
      out.set(cipher.update(chunk), at)
      cipher.final() // GCM: no bytes, computes the tag
      out.set(cipher.getAuthTag(), at + chunk.length)
    }
  }

  async openChunks (nonces: Uint8Array, sealed: Uint8Array, out: Uint8Array): Promise<void> {
    for (let j = 0, at = 0; at < sealed.length; j++, at += SEALED_CHUNK_SIZE) {
      const piece = sealed.subarray(at, Math.min(sealed.length, at + SEALED_CHUNK_SIZE))
      if (piece.length < TAG_SIZE) throw new DecryptionError()
      const decipher = createDecipheriv(this.#algorithm, this.#key, nonces.subarray(j * NONCE_SIZE, (j + 1) * NONCE_SIZE), { authTagLength: TAG_SIZE })
      decipher.setAuthTag(piece.subarray(piece.length - TAG_SIZE))
      const plain = decipher.update(piece.subarray(0, piece.length - TAG_SIZE))
      try {
        decipher.final() // throws unless the tag verifies
      } catch (cause) {
        throw new DecryptionError({ cause })
      }
      out.set(plain, j * CHUNK_SIZE)
    }
  }
}

export const nodeCryptoProvider: CryptoProvider = {
  name: 'node',
  async importAeadKey (raw: Uint8Array): Promise<BlockAead> {
    return new NodeBlockAead(raw)
  },
  async sha256 (bytes: Uint8Array): Promise<Uint8Array> {
    return createHash('sha256').update(bytes).digest()
  }
}

/** Make node:crypto core's provider for this process (hosts and the CLI call it at startup). */
export function installNodeCrypto (): void {
  setCryptoProvider(nodeCryptoProvider)
}
