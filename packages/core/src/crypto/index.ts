export {
  CHUNK_SIZE, TAG_SIZE, SEALED_CHUNK_SIZE, SALT_SIZE, COMMITMENT_SIZE, HEADER_SIZE, NONCE_SIZE,
  MAX_CHUNK_COUNT, DEFAULT_AEAD, DEFAULT_CONCURRENCY
} from './constants.js'
export type { Aead, CobblestoneInit } from './constants.js'
export { ChunkCipher } from './chunk-cipher.js'
export { encryptStream, decryptStream } from './stream.js'
export { decryptRange } from './random-access.js'
export type { RangeReader, PlaintextRange } from './random-access.js'
export { plaintextLength, ciphertextLength } from './layout.js'
