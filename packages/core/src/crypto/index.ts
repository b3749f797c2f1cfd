/**
 * `@cairn/core/crypto`: Cobblestone's format for those who need its sizes: the
 * geometry (every size and the length arithmetic) and the chunk cipher. The
 * streams (`encryptStream`, `decryptStream`, `decryptRange`) and their options
 * are in `@cairn/core`.
 *
 * Cobblestone: C2SP chunked encryption (https://c2sp.org/chunked-encryption)
 * with HKDF-Expand-SHA-512 and AES-GCM. Key derivation runs on Web Crypto; the
 * per-chunk AES-GCM (and block hashing) goes through a `CryptoProvider`, Web
 * Crypto by default, node:crypto once node-host installs it. Cobblestone-128
 * (16-byte keys) is the default, Cobblestone-256 is `{ aead: 'AES-256-GCM' }`.
 *
 * Ciphertext = salt (24) ‖ commitment (32) ‖ sealed 16 KiB chunks, the final
 * chunk always short (possibly empty). Decryption checks the commitment before
 * any chunk, yields only authenticated plaintext in order (the chunks before a
 * failure may already have been released, never a failed one), and once it has
 * failed with DecryptionError keeps failing. Messages are capped at 2^38 chunks.
 *
 * Every size (chunks, header, Cairn's content blocks) and the length
 * arithmetic between them is in geometry.ts.
 */
export {
  CHUNK_SIZE, TAG_SIZE, SEALED_CHUNK_SIZE, SALT_SIZE, COMMITMENT_SIZE, HEADER_SIZE, NONCE_SIZE, MAX_CHUNK_COUNT,
  CHUNKS_PER_BLOCK, MAX_BLOCK_SIZE, BLOCK_PLAINTEXT,
  chunkCount, bodyLength, ciphertextLength, plaintextLength, bodyPlaintextLength, blockCount, blockLength,
  MIN_SIZE_CLASS, MAX_MESSAGE_PLAINTEXT, PADDING_MARKER, sizeClass, paddedLength, paddedBlockCount
} from './geometry.js'
export { ChunkCipher } from './chunk-cipher.js'
export { webCryptoProvider, cryptoProvider, setCryptoProvider } from './provider.js'
export type { CryptoProvider, BlockAead } from './provider.js'
