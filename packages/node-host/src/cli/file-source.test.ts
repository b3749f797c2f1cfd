import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { plainView, readFileChunks } from './file-source.js'

let dir: string | undefined
afterEach(async () => { if (dir !== undefined) await rm(dir, { recursive: true, force: true }) })

describe('readFileChunks', () => {
  it('hands core plain Uint8Arrays, not Buffers, with the file\'s bytes in order', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-file-source-'))
    const path = join(dir, 'f.bin')
    const bytes = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7) & 0xff)
    await writeFile(path, bytes)
    const chunks: Uint8Array[] = []
    for await (const chunk of readFileChunks(path, { chunkSize: 16_384 })) chunks.push(chunk)
    expect(chunks.length).toBe(Math.ceil(bytes.length / 16_384))
    for (const chunk of chunks) {
      expect(Buffer.isBuffer(chunk)).toBe(false)
      expect(Object.getPrototypeOf(chunk)).toBe(Uint8Array.prototype)
    }
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true)
  })

  it('views the Buffer\'s memory without copying it', () => {
    const pool = Buffer.alloc(64)
    const buf = pool.subarray(8, 24)
    const view = plainView(buf)
    expect(Buffer.isBuffer(view)).toBe(false)
    expect(view.buffer).toBe(buf.buffer)
    expect([view.byteOffset, view.byteLength]).toEqual([buf.byteOffset, 16])
    view[0] = 42
    expect(buf[0]).toBe(42)
    const plain = new Uint8Array(4)
    expect(plainView(plain)).toBe(plain)
  })
})
