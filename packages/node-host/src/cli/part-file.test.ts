import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { blockId, type BlockId } from '@cairn/core'
import { BLOCK_PLAINTEXT } from '@cairn/core/crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { LocalFileError } from '../config/index.js'
import { PartFile, partFilePaths } from './part-file.js'

const dirs: string[] = []
afterEach(async () => { for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true }) })

async function tempDir (): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-out-'))
  dirs.push(dir)
  return dir
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)
const KEY = new Uint8Array(16).fill(9)
let ROOT: BlockId

async function root (seed = 1): Promise<BlockId> {
  return await blockId(new Uint8Array([seed]))
}

/** Write `data` through a part file as whole blocks, all at once. */
async function fill (part: PartFile, data: Uint8Array, only?: number[]): Promise<void> {
  for (let i = 0; i < part.blocks; i++) {
    if (part.isDone(i) || (only !== undefined && !only.includes(i))) continue
    const { start, end } = part.range(i)
    const slice = data.subarray(start, end)
    await part.write(start, [slice])
    await part.markDone([{ index: i, mac: part.mac(i).update(slice) }])
  }
}

describe('PartFile: the final name', () => {
  it('refuses a path that exists before it starts', async () => {
    ROOT = await root()
    const dir = await tempDir()
    await writeFile(join(dir, 'a.txt'), 'mine')
    await expect(PartFile.open({ path: join(dir, 'a.txt'), root: ROOT, key: KEY, size: 5 })).rejects.toThrow(LocalFileError)
    expect(await readdir(dir)).toEqual(['a.txt'])
  })

  it('refuses a file that appeared while it wrote, keeping that file and dropping its own', async () => {
    const dir = await tempDir()
    const path = join(dir, 'a.txt')
    const part = await PartFile.open({ path, root: ROOT, key: KEY, size: 10 })
    await fill(part, bytes('downloaded'))
    await writeFile(path, 'arrived meanwhile')
    await expect(part.commit()).rejects.toThrow(/a\.txt already exists/)
    expect(await readFile(path, 'utf8')).toBe('arrived meanwhile')
    expect(await readdir(dir)).toEqual(['a.txt'])
  })

  it('writes a new file, and replaces one only with overwrite', async () => {
    const dir = await tempDir()
    const path = join(dir, 'a.txt')
    const first = await PartFile.open({ path, root: ROOT, key: KEY, size: 5 })
    await fill(first, bytes('first'))
    expect(await first.commit()).toBe(path)
    const again = await PartFile.open({ path, root: ROOT, key: KEY, size: 6, overwrite: true })
    await fill(again, bytes('second'))
    await again.commit()
    expect(await readFile(path, 'utf8')).toBe('second')
    expect(await readdir(dir)).toEqual(['a.txt'])
  })

  it('never commits an incomplete file', async () => {
    const dir = await tempDir()
    const part = await PartFile.open({ path: join(dir, 'a'), root: ROOT, key: KEY, size: 3 * BLOCK_PLAINTEXT })
    await fill(part, randomBytes(3 * BLOCK_PLAINTEXT), [0, 2])
    await expect(part.commit()).rejects.toThrow(LocalFileError)
    expect((await readdir(dir)).includes('a')).toBe(false)
  })
})

describe('PartFile: resume', () => {
  const SIZE = 3 * BLOCK_PLAINTEXT + 1000

  it('keeps the part file and reuses the blocks that were written, naming nothing after the key', async () => {
    const dir = await tempDir()
    const path = join(dir, 'big.bin')
    const data = randomBytes(SIZE)
    const first = await PartFile.open({ path, root: ROOT, key: KEY, size: SIZE })
    expect(first.missing()).toEqual([{ first: 0, last: 3 }])
    await fill(first, data, [0, 2])
    await first.keep()
    const names = await readdir(dir)
    expect(names.sort()).toEqual([`.big.bin.${partFilePaths(path, ROOT).part.split('.').at(-2)}.cairn-part`, expect.stringMatching(/\.cairn-part\.state$/)].sort())
    expect(names.join('')).not.toContain(Buffer.from(KEY).toString('hex'))
    expect((await stat(partFilePaths(path, ROOT).state)).mode & 0o777).toBe(0o600)

    const second = await PartFile.open({ path, root: ROOT, key: KEY, size: SIZE })
    expect(second.resumedBytes).toBe(2 * BLOCK_PLAINTEXT)
    expect(second.missing()).toEqual([{ first: 1, last: 1 }, { first: 3, last: 3 }])
    await fill(second, data)
    await second.commit()
    expect(Buffer.compare(await readFile(path), data)).toBe(0)
    expect(await readdir(dir)).toEqual(['big.bin'])
  })

  it('refetches a block whose bytes were tampered with, and ignores a wrong key', async () => {
    const dir = await tempDir()
    const path = join(dir, 'big.bin')
    const data = randomBytes(SIZE)
    const first = await PartFile.open({ path, root: ROOT, key: KEY, size: SIZE })
    await fill(first, data, [0, 1, 2])
    await first.keep()
    const { part } = partFilePaths(path, ROOT)
    const tampered = await readFile(part)
    tampered.writeUInt8(tampered.readUInt8(BLOCK_PLAINTEXT + 77) ^ 1, BLOCK_PLAINTEXT + 77)
    await writeFile(part, tampered)
    const second = await PartFile.open({ path, root: ROOT, key: KEY, size: SIZE })
    expect(second.missing()).toEqual([{ first: 1, last: 1 }, { first: 3, last: 3 }])
    await second.keep()
    const wrongKey = await PartFile.open({ path, root: ROOT, key: new Uint8Array(16), size: SIZE })
    expect(wrongKey.resumedBytes).toBe(0)
    await wrongKey.keep()
  })

  it('never reuses a part file of another root or size, and starts afresh without resume', async () => {
    const dir = await tempDir()
    const path = join(dir, 'f')
    const data = randomBytes(SIZE)
    const first = await PartFile.open({ path, root: ROOT, key: KEY, size: SIZE })
    await fill(first, data, [0])
    await first.keep()
    const other = await root(2)
    expect(partFilePaths(path, other).part).not.toBe(partFilePaths(path, ROOT).part)
    // The same part name forced onto another root: its state says which root it holds.
    await writeFile(partFilePaths(path, other).state, await readFile(partFilePaths(path, ROOT).state))
    await writeFile(partFilePaths(path, other).part, await readFile(partFilePaths(path, ROOT).part))
    const otherPart = await PartFile.open({ path, root: other, key: KEY, size: SIZE })
    expect(otherPart.resumedBytes).toBe(0)
    await otherPart.keep()
    const resized = await PartFile.open({ path, root: ROOT, key: KEY, size: SIZE - 1 })
    expect(resized.resumedBytes).toBe(0)
    await resized.keep()
    const again = await PartFile.open({ path, root: ROOT, key: KEY, size: SIZE })
    await fill(again, data, [0])
    await again.keep()
    const fresh = await PartFile.open({ path, root: ROOT, key: KEY, size: SIZE, resume: false })
    expect(fresh.resumedBytes).toBe(0)
    expect(fresh.missing()).toEqual([{ first: 0, last: 3 }])
    await fresh.keep()
  })
})
