/**
 * Cobblestone (C2SP chunked encryption, https://c2sp.org/chunked-encryption):
 * sizes, instantiations and defaults.
 */

/** The AEADs Cobblestone is instantiated with: Cobblestone-128 and Cobblestone-256. */
export type Aead = 'AES-128-GCM' | 'AES-256-GCM'

/** Plaintext bytes per chunk; the final chunk is always shorter (possibly empty). */
export const CHUNK_SIZE = 16384
/** AES-GCM authentication tag length. */
export const TAG_SIZE = 16
/** A full chunk once sealed: CHUNK_SIZE + TAG_SIZE. */
export const SEALED_CHUNK_SIZE = CHUNK_SIZE + TAG_SIZE
/** Random per-message salt, first in the header. */
export const SALT_SIZE = 24
/** Key commitment, second in the header. */
export const COMMITMENT_SIZE = 32
/** salt ‖ commitment, in front of the sealed chunks. */
export const HEADER_SIZE = SALT_SIZE + COMMITMENT_SIZE
/** AES-GCM nonce length. */
export const NONCE_SIZE = 12
/**
 * Chunks per message are limited to 2^38 (4 PiB), as the current spec requires.
 * Indexes are plain safe integers; nothing is computed with 32-bit bitwise ops.
 */
export const MAX_CHUNK_COUNT = 2 ** 38

/** Cobblestone-128 is Cairn's default. */
export const DEFAULT_AEAD: Aead = 'AES-128-GCM'
/**
 * Chunks kept in flight by the streaming and random-access functions: 64 chunks
 * is one Cairn block (1 MiB of plaintext), enough to hide Web Crypto's per-call
 * overhead (see the measurements in bench/cobblestone.mjs).
 */
export const DEFAULT_CONCURRENCY = 64

export interface CobblestoneInit {
  /** Defaults to AES-128-GCM (Cobblestone-128). */
  aead?: Aead
  /** For tests only: a fixed 24-byte salt. Defaults to a random one. */
  salt?: Uint8Array
  /** Chunks in flight at once. Defaults to DEFAULT_CONCURRENCY. */
  concurrency?: number
}
