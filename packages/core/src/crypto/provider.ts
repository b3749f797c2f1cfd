import { DecryptionError } from '../errors.js'
import { CHUNK_SIZE, NONCE_SIZE, SEALED_CHUNK_SIZE } from './geometry.js'
import { bufferSource } from './params.js'

/**
 * The AEAD and hash primitives core takes from the platform, a whole block of
 * chunks per call. Core stays isomorphic: it defaults to `webCryptoProvider`
 * (every platform has it), and a platform with something faster installs it
 * once with `setCryptoProvider` (node-host: `node:crypto`, synchronous
 * OpenSSL, no thread-pool hop and no ArrayBuffer per chunk). Every provider
 * must produce the same bytes: AES-GCM with 16-byte tags, SHA-256.
 *
 * Layout, for both directions: chunk j of a call uses nonce
 * `nonces[j * NONCE_SIZE …]`; sealed chunk j sits at `j * SEALED_CHUNK_SIZE`
 * (ciphertext ‖ tag), plaintext chunk j at `j * CHUNK_SIZE`. Every chunk but
 * the last is full.
 */
export interface CryptoProvider {
  /** For diagnostics and the bench: 'webcrypto', 'node'. */
  readonly name: string
  /** An AES-GCM key (16 or 32 bytes; the caller has checked the size). */
  importAeadKey (raw: Uint8Array): Promise<BlockAead>
  /** SHA-256 of `bytes` (32 bytes). */
  sha256 (bytes: Uint8Array): Promise<Uint8Array>
}

export interface BlockAead {
  /** Seal `chunks` into `out` from `offset`, sealed chunk j at `offset + j * SEALED_CHUNK_SIZE`. */
  sealChunks (nonces: Uint8Array, chunks: readonly Uint8Array[], out: Uint8Array, offset: number): Promise<void>
  /**
   * Open the consecutive sealed chunks in `sealed` into `out` (plaintext chunk
   * j at `j * CHUNK_SIZE`). Rejects with `DecryptionError` if any chunk fails;
   * `out` then holds nothing the caller may use.
   */
  openChunks (nonces: Uint8Array, sealed: Uint8Array, out: Uint8Array): Promise<void>
}

/** Sealed chunk j of a contiguous run of sealed chunks. */
export function sealedChunkAt (sealed: Uint8Array, j: number): Uint8Array {
  return sealed.subarray(j * SEALED_CHUNK_SIZE, Math.min(sealed.length, (j + 1) * SEALED_CHUNK_SIZE))
}

/** Nonce j of a call. */
export function nonceAt (nonces: Uint8Array, j: number): Uint8Array {
  return nonces.subarray(j * NONCE_SIZE, (j + 1) * NONCE_SIZE)
}

/**
 * Web Crypto: one call per chunk, all of a block's calls in flight at once
 * (they run on the platform's crypto threads), results copied into place.
 */
export const webCryptoProvider: CryptoProvider = {
  name: 'webcrypto',
  async importAeadKey (raw: Uint8Array): Promise<BlockAead> {
    const key = await crypto.subtle.importKey('raw', bufferSource(raw), 'AES-GCM', false, ['encrypt', 'decrypt'])
    return {
      async sealChunks (nonces, chunks, out, offset) {
        await Promise.all(chunks.map(async (chunk, j) => {
          const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv: bufferSource(nonceAt(nonces, j)) }, key, bufferSource(chunk))
          out.set(new Uint8Array(sealed), offset + j * SEALED_CHUNK_SIZE)
        }))
      },
      async openChunks (nonces, sealed, out) {
        const count = Math.ceil(sealed.length / SEALED_CHUNK_SIZE)
        const opened = await Promise.allSettled(Array.from({ length: count }, async (_, j) => {
          const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: bufferSource(nonceAt(nonces, j)) }, key, bufferSource(sealedChunkAt(sealed, j)))
          out.set(new Uint8Array(plain), j * CHUNK_SIZE)
        }))
        const failed = opened.find(result => result.status === 'rejected')
        if (failed !== undefined) throw new DecryptionError({ cause: failed.reason })
      }
    }
  },
  async sha256 (bytes: Uint8Array): Promise<Uint8Array> {
    return new Uint8Array(await crypto.subtle.digest('SHA-256', bufferSource(bytes)))
  }
}

let current: CryptoProvider = webCryptoProvider

/** The provider core uses where a caller passes none: Web Crypto unless the platform set another. */
export function cryptoProvider (): CryptoProvider {
  return current
}

/** Install the platform's provider for the whole process (node-host does, at startup). */
export function setCryptoProvider (provider: CryptoProvider): void {
  current = provider
}
