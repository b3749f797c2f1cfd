/**
 * Cobblestone (C2SP chunked encryption, https://c2sp.org/chunked-encryption):
 * instantiations and defaults. Sizes are in geometry.ts.
 */
import type { CryptoProvider } from './provider.js'

/** The AEADs Cobblestone is instantiated with: Cobblestone-128 and Cobblestone-256. */
export type Aead = 'AES-128-GCM' | 'AES-256-GCM'

/** Cobblestone-128 is Cairn's default. */
export const DEFAULT_AEAD: Aead = 'AES-128-GCM'
/**
 * Chunks kept in flight by the streaming and random-access functions: 64 chunks
 * (one Cairn block of 1 MiB plaintext at the default geometry) is enough to hide
 * Web Crypto's per-call overhead (see the measurements in bench/cobblestone.mjs).
 */
export const DEFAULT_CONCURRENCY = 64

export interface CobblestoneInit {
  /** Defaults to AES-128-GCM (Cobblestone-128). */
  aead?: Aead
  /**
   * A fixed 24-byte salt (default: a random one). For tests, and for
   * re-sealing the same plaintext under the same key (a resumed add); a
   * (key, salt) pair must never seal different plaintext.
   */
  salt?: Uint8Array
  /** Chunks in flight at once. Defaults to DEFAULT_CONCURRENCY. */
  concurrency?: number
  /** Where the AES-GCM calls go; defaults to the process-wide `cryptoProvider()` (Web Crypto unless the platform set one). */
  provider?: CryptoProvider
}
