/**
 * Helpers for the crypto tests (isomorphic: Web APIs only). Not exported from
 * the package index.
 */
import { concatBytes } from '../../src/bytes.js'

/** A seeded PRNG (mulberry32), so failures reproduce. */
export function prng (seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function randomBytes (length: number): Uint8Array {
  const out = new Uint8Array(length)
  for (let offset = 0; offset < length; offset += 65536) {
    crypto.getRandomValues(out.subarray(offset, Math.min(length, offset + 65536)))
  }
  return out
}

/**
 * Cuts `bytes` into pieces: all of `size` bytes when a size is given, else
 * random sizes from 0 up to about 3 chunks, now and then much larger.
 */
export function cut (bytes: Uint8Array, seed: number, size?: number): Uint8Array[] {
  const random = prng(seed)
  const pieces: Uint8Array[] = []
  for (let offset = 0; offset < bytes.length;) {
    const roll = random()
    const length = size ?? (roll < 0.05 ? 0 : roll < 0.9 ? Math.floor(random() * 50_000) + 1 : Math.floor(random() * 2_000_000) + 1)
    pieces.push(bytes.subarray(offset, offset + length))
    offset += length
  }
  if (random() < 0.5) pieces.push(new Uint8Array(0))
  return pieces
}

export async function * source (pieces: Iterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield * pieces
}

export const concat = concatBytes

export async function collect (stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const part of stream) parts.push(part)
  return concat(parts)
}

export interface Outcome {
  /** Everything the stream released before it ended or failed. */
  released: Uint8Array
  error?: unknown
}

/** Drains a stream, keeping what it released and the error it ended with, if any. */
export async function drain (stream: AsyncIterable<Uint8Array>): Promise<Outcome> {
  const parts: Uint8Array[] = []
  try {
    for await (const part of stream) parts.push(part)
    return { released: concat(parts) }
  } catch (error) {
    return { released: concat(parts), error }
  }
}

export function hex (bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')
}

export function fromHex (text: string): Uint8Array {
  const out = new Uint8Array(text.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16)
  return out
}

export async function sha512Hex (bytes: Uint8Array): Promise<string> {
  return hex(new Uint8Array(await crypto.subtle.digest('SHA-512', bytes as Uint8Array<ArrayBuffer>)))
}

export function errorCode (error: unknown): unknown {
  return (error as { code?: unknown } | undefined)?.code
}

/**
 * -1 when equal, else the first differing offset (or the shorter length).
 * Comparing big arrays with toEqual is very slow; compare with this instead.
 */
export function firstDifference (a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length)
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return i
  return a.length === b.length ? -1 : length
}
