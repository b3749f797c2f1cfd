import { describe, expect, it } from 'vitest'
import * as root from '../src/index.js'
import * as crypto from '../src/crypto/index.js'
import * as mesh from '../src/mesh/index.js'
import * as wire from '../src/wire/index.js'
import * as testing from '../src/testing/index.js'
import { BLOCK_PLAINTEXT, CHUNK_SIZE, CHUNKS_PER_BLOCK, HEADER_SIZE, MAX_BLOCK_SIZE, SEALED_CHUNK_SIZE, TAG_SIZE } from '../src/crypto/geometry.js'
import { MAX_FRAME_SIZE } from '../src/wire/limits.js'

/** Every entry point of the package (package.json `exports`). */
const entries = [root, crypto, mesh, wire, testing]

/** Every size name (chunks, blocks, headers) any entry point exports with value `value`. */
function namesOf (value: number): string[] {
  const all = new Map<string, unknown>(entries.flatMap((entry) => Object.entries(entry)))
  return [...all]
    .filter(([name, v]) => v === value && /CHUNK|BLOCK|HEADER|SEAL|TAG|OVERHEAD|PLAIN/.test(name))
    .map(([name]) => name).sort()
}

describe('geometry: one home, one name per quantity', () => {
  it('the package exports each chunk and block size under exactly one name', () => {
    expect(namesOf(CHUNK_SIZE)).toEqual(['CHUNK_SIZE'])
    expect(namesOf(SEALED_CHUNK_SIZE)).toEqual(['SEALED_CHUNK_SIZE'])
    expect(namesOf(MAX_BLOCK_SIZE)).toEqual(['MAX_BLOCK_SIZE'])
    expect(namesOf(BLOCK_PLAINTEXT)).toEqual(['BLOCK_PLAINTEXT'])
    expect(namesOf(HEADER_SIZE)).toEqual(['HEADER_SIZE'])
  })

  it('blocks, frames and files derive from the chunk sizes', () => {
    expect(SEALED_CHUNK_SIZE).toBe(CHUNK_SIZE + TAG_SIZE)
    expect(MAX_BLOCK_SIZE).toBe(CHUNKS_PER_BLOCK * SEALED_CHUNK_SIZE)
    expect(BLOCK_PLAINTEXT).toBe(CHUNKS_PER_BLOCK * CHUNK_SIZE)
    expect(MAX_FRAME_SIZE).toBeGreaterThan(MAX_BLOCK_SIZE)
    // A full block is exactly BLOCK_PLAINTEXT of plaintext; a file of whole blocks ends with a tag-only block.
    expect(crypto.blockLength(3 * BLOCK_PLAINTEXT, 0)).toBe(MAX_BLOCK_SIZE)
    expect(crypto.blockCount(3 * BLOCK_PLAINTEXT)).toBe(4)
    expect(crypto.blockLength(3 * BLOCK_PLAINTEXT, 3)).toBe(TAG_SIZE)
    expect(crypto.bodyLength(5) + HEADER_SIZE).toBe(crypto.ciphertextLength(5))
  })
})
