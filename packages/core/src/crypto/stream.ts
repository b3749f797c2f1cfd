import { ByteReader } from './byte-reader.js'
import { ChunkCipher } from './chunk-cipher.js'
import { openChunks, sealChunks } from './chunk-stream.js'
import { checkKey, resolveConcurrency } from './params.js'
import { stickyFailure } from './sticky.js'
import type { CobblestoneInit } from './constants.js'
import { HEADER_SIZE } from './geometry.js'

/**
 * Encrypts a plaintext stream: yields the 56-byte header (salt ‖ commitment),
 * then each sealed chunk. Throws InvalidKeyError at once for a wrong-size key.
 */
export function encryptStream (
  inputKey: Uint8Array, context: Uint8Array, plaintext: AsyncIterable<Uint8Array>, init: CobblestoneInit = {}
): AsyncIterableIterator<Uint8Array> {
  checkKey(inputKey, init.aead)
  const concurrency = resolveConcurrency(init)
  return stickyFailure(async function * () {
    const reader = new ByteReader(plaintext)
    try {
      const { cipher, header } = await ChunkCipher.create(inputKey, context, init)
      yield header
      yield * sealChunks(cipher, reader, concurrency)
    } finally {
      await reader.close()
    }
  }())
}

/**
 * Decrypts a ciphertext stream cut at any points. The commitment is checked
 * before any chunk is opened; only authenticated plaintext is yielded, in
 * order. Truncation, trailing data, reordering, tampering, a wrong key or
 * context end in DecryptionError, after which every next() rejects again.
 * Throws InvalidKeyError at once for a wrong-size key.
 */
export function decryptStream (
  inputKey: Uint8Array, context: Uint8Array, ciphertext: AsyncIterable<Uint8Array>, init: CobblestoneInit = {}
): AsyncIterableIterator<Uint8Array> {
  checkKey(inputKey, init.aead)
  const concurrency = resolveConcurrency(init)
  return stickyFailure(async function * () {
    const reader = new ByteReader(ciphertext)
    try {
      const header = await reader.read(HEADER_SIZE)
      const cipher = await ChunkCipher.open(inputKey, context, header, init)
      yield * openChunks(cipher, reader, concurrency)
    } finally {
      await reader.close()
    }
  }())
}
