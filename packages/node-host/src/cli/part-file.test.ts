import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AbortError, addFile, blockId, openFile, type BlockId, type OpenedFile } from '@cairn/core'
import { BLOCK_PLAINTEXT } from '@cairn/core/crypto'
import { MemoryBlockStore } from '@cairn/core/testing'
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
/** For part files that are never resumed: no kept block passes. */
const NEVER = async (): Promise<boolean> => false
let ROOT: BlockId

/** `data` added as a real file: its root and its blocks' check, as `get` passes them. */
async function added (data: Uint8Array): Promise<{ file: OpenedFile, root: BlockId, check: OpenedFile['matchesBlock'] }> {
  const store = new MemoryBlockStore()
  const { link } = await addFile((async function * () { yield data })(), { name: 'big.bin' }, store)
  const file = await openFile(link, store)
  return { file, root: file.root, check: async (index, plaintext) => await file.matchesBlock(index, plaintext) }
}

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
    await part.markDone([i])
  }
}

describe('PartFile: the final name', () => {
  it('refuses a path that exists before it starts', async () => {
    ROOT = await root()
    const dir = await tempDir()
    await writeFile(join(dir, 'a.txt'), 'mine')
    await expect(PartFile.open({ path: join(dir, 'a.txt'), root: ROOT, check: NEVER, size: 5 })).rejects.toThrow(LocalFileError)
    expect(await readdir(dir)).toEqual(['a.txt'])
  })

  it('refuses a file that appeared while it wrote, keeping that file and dropping its own', async () => {
    const dir = await tempDir()
    const path = join(dir, 'a.txt')
    const part = await PartFile.open({ path, root: ROOT, check: NEVER, size: 10 })
    await fill(part, bytes('downloaded'))
    await writeFile(path, 'arrived meanwhile')
    await expect(part.commit()).rejects.toThrow(/a\.txt already exists/)
    expect(await readFile(path, 'utf8')).toBe('arrived meanwhile')
    expect(await readdir(dir)).toEqual(['a.txt'])
  })

  it('writes a new file, and replaces one only with overwrite', async () => {
    const dir = await tempDir()
    const path = join(dir, 'a.txt')
    const first = await PartFile.open({ path, root: ROOT, check: NEVER, size: 5 })
    await fill(first, bytes('first'))
    expect(await first.commit()).toBe(path)
    const again = await PartFile.open({ path, root: ROOT, check: NEVER, size: 6, overwrite: true })
    await fill(again, bytes('second'))
    await again.commit()
    expect(await readFile(path, 'utf8')).toBe('second')
    expect(await readdir(dir)).toEqual(['a.txt'])
  })

  it('never commits an incomplete file', async () => {
    const dir = await tempDir()
    const part = await PartFile.open({ path: join(dir, 'a'), root: ROOT, check: NEVER, size: 3 * BLOCK_PLAINTEXT })
    await fill(part, randomBytes(3 * BLOCK_PLAINTEXT), [0, 2])
    await expect(part.commit()).rejects.toThrow(LocalFileError)
    expect((await readdir(dir)).includes('a')).toBe(false)
  })
})

/**
 * A part file left by an interrupted get of a real file of `size` random bytes, with
 * `blocks` written: the data, its root and check, and the path it was for.
 */
async function interrupted (name: string, size: number, blocks: number[]): Promise<{ path: string, data: Buffer, fileRoot: BlockId, check: OpenedFile['matchesBlock'] }> {
  const path = join(await tempDir(), name)
  const data = randomBytes(size)
  const { root: fileRoot, check } = await added(data)
  const first = await PartFile.open({ path, root: fileRoot, check, size })
  await fill(first, data, blocks)
  await first.keep()
  return { path, data, fileRoot, check }
}

describe('PartFile: resume', () => {
  const SIZE = 3 * BLOCK_PLAINTEXT + 1000

  it('keeps the part file and reuses the blocks that were written, naming nothing after the key', async () => {
    const dir = await tempDir()
    const path = join(dir, 'big.bin')
    const data = randomBytes(SIZE)
    const { file, root: fileRoot, check } = await added(data)
    const first = await PartFile.open({ path, root: fileRoot, check, size: SIZE })
    expect(first.missing()).toEqual([{ first: 0, last: 3 }])
    await fill(first, data, [0, 2])
    await first.keep()
    const names = await readdir(dir)
    expect(names.sort()).toEqual([`.big.bin.${partFilePaths(path, fileRoot).part.split('.').at(-2)}.cairn-part`, expect.stringMatching(/\.cairn-part\.state$/)].sort())
    expect(file.blocks).toBe(4)
    expect((await stat(partFilePaths(path, fileRoot).state)).mode & 0o777).toBe(0o600)
    // The state holds the header line and one index per block written: nothing of the key or the bytes.
    const state = await readFile(partFilePaths(path, fileRoot).state)
    expect(state.subarray(state.indexOf(0x0a) + 1)).toEqual(Buffer.from([0, 0, 0, 0, 0, 0, 0, 2]))

    const second = await PartFile.open({ path, root: fileRoot, check, size: SIZE })
    expect(second.resumedBytes).toBe(2 * BLOCK_PLAINTEXT)
    expect(second.missing()).toEqual([{ first: 1, last: 1 }, { first: 3, last: 3 }])
    await fill(second, data)
    await second.commit()
    expect(Buffer.compare(await readFile(path), data)).toBe(0)
    expect(await readdir(dir)).toEqual(['big.bin'])
  })

  it('refetches a block whose bytes were tampered with or torn, and one that another file\'s blocks do not match', async () => {
    const { path, fileRoot, check } = await interrupted('big.bin', SIZE, [0, 1, 2, 3])
    const { part } = partFilePaths(path, fileRoot)
    const tampered = await readFile(part)
    tampered.writeUInt8(tampered.readUInt8(BLOCK_PLAINTEXT + 77) ^ 1, BLOCK_PLAINTEXT + 77)
    await writeFile(part, tampered.subarray(0, SIZE - 1)) // block 3 torn: its last byte missing
    const second = await PartFile.open({ path, root: fileRoot, check, size: SIZE })
    expect(second.missing()).toEqual([{ first: 1, last: 1 }, { first: 3, last: 3 }])
    expect(second.resumedBytes).toBe(2 * BLOCK_PLAINTEXT)
    await second.keep()
    // The same root and size, checked against another file's blocks (another key): nothing passes.
    const other = await added(randomBytes(SIZE))
    const wrongFile = await PartFile.open({ path, root: fileRoot, check: other.check, size: SIZE })
    expect(wrongFile.resumedBytes).toBe(0)
    await wrongFile.keep()
  })

  // Format 2's edges: a whole number of blocks (the last tracked block holds no file bytes, only
  // padding), and one byte short of it (the padding spills into a block the part file never tracks).
  it.each([2 * BLOCK_PLAINTEXT, 2 * BLOCK_PLAINTEXT - 1])('reuses every kept block of a %i-byte file', async (size) => {
    const blocks = Math.ceil((size + 1) / BLOCK_PLAINTEXT)
    const { path, data, fileRoot, check } = await interrupted('edge.bin', size, Array.from({ length: blocks }, (_, i) => i))
    const again = await PartFile.open({ path, root: fileRoot, check, size })
    expect(again.blocks).toBe(blocks)
    expect(again.resumedBytes).toBe(size)
    expect(again.missing()).toEqual([])
    await again.commit()
    expect(Buffer.compare(await readFile(path), data)).toBe(0)
  })

  it('fails as the check fails (aborted, the mesh did not answer), not as a file error', async () => {
    const { path, fileRoot } = await interrupted('big.bin', SIZE, [0])
    const check = async (): Promise<boolean> => { throw new AbortError('aborted') }
    await expect(PartFile.open({ path, root: fileRoot, check, size: SIZE })).rejects.toBeInstanceOf(AbortError)
    // The lock went with it: the next attempt opens.
    const again = await PartFile.open({ path, root: fileRoot, check: NEVER, size: SIZE })
    await again.keep()
  })

  it('ignores a state file of version 1 (a MAC per block)', async () => {
    const { path, fileRoot, check } = await interrupted('big.bin', SIZE, [0])
    const { state } = partFilePaths(path, fileRoot)
    const v1 = `${JSON.stringify({ v: 1, root: fileRoot.toString(), size: SIZE })}\n`
    await writeFile(state, Buffer.concat([Buffer.from(v1), Buffer.alloc(20)]))
    const second = await PartFile.open({ path, root: fileRoot, check, size: SIZE })
    expect(second.resumedBytes).toBe(0)
    expect(second.missing()).toEqual([{ first: 0, last: 3 }])
    await second.keep()
  })

  it('never reuses a part file of another root or size, and starts afresh without resume', async () => {
    const { path, data, fileRoot, check } = await interrupted('f', SIZE, [0])
    const other = await root(2)
    expect(partFilePaths(path, other).part).not.toBe(partFilePaths(path, fileRoot).part)
    // The same part name forced onto another root: its state says which root it holds.
    await writeFile(partFilePaths(path, other).state, await readFile(partFilePaths(path, fileRoot).state))
    await writeFile(partFilePaths(path, other).part, await readFile(partFilePaths(path, fileRoot).part))
    const otherPart = await PartFile.open({ path, root: other, check, size: SIZE })
    expect(otherPart.resumedBytes).toBe(0)
    await otherPart.keep()
    const resized = await PartFile.open({ path, root: fileRoot, check, size: SIZE - 1 })
    expect(resized.resumedBytes).toBe(0)
    await resized.keep()
    const again = await PartFile.open({ path, root: fileRoot, check, size: SIZE })
    await fill(again, data, [0])
    await again.keep()
    const resumed = await PartFile.open({ path, root: fileRoot, check, size: SIZE })
    expect(resumed.resumedBytes).toBe(BLOCK_PLAINTEXT)
    await resumed.keep()
    const fresh = await PartFile.open({ path, root: fileRoot, check, size: SIZE, resume: false })
    expect(fresh.resumedBytes).toBe(0)
    expect(fresh.missing()).toEqual([{ first: 0, last: 3 }])
    await fresh.keep()
  })
})
