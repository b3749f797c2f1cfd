/** Helpers shared by the file pipeline tests (kept out of dist). */
import { expect } from 'vitest'
import { equalBytes } from '../../src/block/id.js'

/** `bytes` as a source cut into pieces of `size` bytes. */
export async function * pieces (bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.slice(offset, offset + size)
}

export async function collect (parts: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = []
  for await (const part of parts) chunks.push(part)
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
  let offset = 0
  for (const chunk of chunks) { out.set(chunk, offset); offset += chunk.length }
  return out
}

/** `toEqual` walks typed arrays element by element: far too slow for megabytes. */
export function expectSameBytes (actual: Uint8Array, expected: Uint8Array): void {
  expect(actual.length).toBe(expected.length)
  expect(equalBytes(actual, expected)).toBe(true)
}
