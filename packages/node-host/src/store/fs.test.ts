import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { CID } from 'multiformats/cid'
import { blockId } from '@cairn/core'
import type { BlockId } from '@cairn/core'
import { blockStoreSuite } from '@cairn/core/testing'
import { MAX_BLOCK_SIZE } from '@cairn/core/crypto'
import { FsBlockStore } from './fs.js'
import type { FsBlockStoreInit } from './fs.js'

const dirs: string[] = []
afterEach(async () => {
  await Promise.all(dirs.splice(0).map(async d => rm(d, { recursive: true, force: true })))
})

async function tempDir (): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-fs-'))
  dirs.push(dir)
  return dir
}

async function openTemp (init?: FsBlockStoreInit): Promise<{ store: FsBlockStore, dir: string, root: string }> {
  const root = await tempDir()
  const dir = join(root, 'blocks')
  return { store: await FsBlockStore.open(dir, init), dir, root }
}

async function block (text: string): Promise<{ id: BlockId, bytes: Uint8Array }> {
  const bytes = new TextEncoder().encode(text)
  return { id: await blockId(bytes), bytes }
}

function pathOf (dir: string, id: BlockId): string {
  const key = id.toString()
  return join(dir, key.slice(-2), key)
}

blockStoreSuite('FsBlockStore', async () => (await openTemp()).store)

describe('FsBlockStore on disk', () => {
  it('keeps a record as <cid>.rec next to its block, across a reopen; a record without its block is removed at open', async () => {
    const { store, dir } = await openTemp()
    const b = await block('with a record')
    const orphan = await block('record only')
    await store.put(b.id, b.bytes, { record: { replicas: 2, expires: 1_900_000_000_000 } })
    expect(await readdir(join(dir, b.id.toString().slice(-2)))).toContain(`${b.id.toString()}.rec`)
    await store.put(orphan.id, orphan.bytes, { record: { replicas: 1 } })
    // What a crash between writing a record and renaming its block leaves.
    await rm(pathOf(dir, orphan.id))
    const again = await FsBlockStore.open(dir)
    expect(await again.record(b.id)).toEqual({ replicas: 2, expires: 1_900_000_000_000 })
    expect(await again.stats()).toMatchObject({ blocks: 1 })
    await expect(stat(`${pathOf(dir, orphan.id)}.rec`)).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('a record file that does not decode counts as none; the block is still served', async () => {
    const { store: first, dir } = await openTemp()
    const b = await block('rotten record')
    await first.put(b.id, b.bytes, { record: { replicas: 2 } })
    await writeFile(`${pathOf(dir, b.id)}.rec`, new Uint8Array([0xff, 0x00]))
    // The running store remembers the record it wrote (record-cache.ts); the file is read at the next open.
    expect(await first.record(b.id)).toEqual({ replicas: 2 })
    const store = await FsBlockStore.open(dir)
    expect(await store.record(b.id)).toBeUndefined()
    expect(await store.get(b.id)).toEqual(b.bytes)
    await store.put(b.id, b.bytes, { record: { replicas: 3 } })
    expect(await store.record(b.id)).toEqual({ replicas: 3 })
  })

  it('reads a held block\'s record file once: later reads (serving, probes, repair) come from memory', async () => {
    const { store: writer, dir } = await openTemp()
    const b = await block('record read once')
    await writer.put(b.id, b.bytes, { record: { replicas: 2, expires: 1_900_000_000_000 } })
    const store = await FsBlockStore.open(dir)
    expect(await store.record(b.id)).toEqual({ replicas: 2, expires: 1_900_000_000_000 })
    await rm(`${pathOf(dir, b.id)}.rec`)
    const seen = await store.record(b.id)
    expect(seen).toEqual({ replicas: 2, expires: 1_900_000_000_000 })
    seen!.replicas = 9
    expect(await store.record(b.id)).toEqual({ replicas: 2, expires: 1_900_000_000_000 })
  })

  it('forgets a deleted block\'s record and remembers a merged one', async () => {
    const { store } = await openTemp()
    const b = await block('record forgotten')
    await store.put(b.id, b.bytes, { record: { replicas: 2 } })
    await store.put(b.id, b.bytes, { record: { replicas: 3 } })
    expect(await store.record(b.id)).toEqual({ replicas: 3 })
    await store.delete(b.id)
    expect(await store.record(b.id)).toBeUndefined()
    await store.put(b.id, b.bytes)
    expect(await store.record(b.id)).toBeUndefined()
  })

  it('lays blocks out as <dir>/<last 2 chars>/<cid>', async () => {
    const { store, dir } = await openTemp()
    const b = await block('layout')
    await store.put(b.id, b.bytes)
    expect(new Uint8Array(await readFile(pathOf(dir, b.id)))).toEqual(b.bytes)
  })

  it('detects a corrupt block on read, quarantines it and reports it', async () => {
    const corrupt: string[] = []
    const { store, dir } = await openTemp({ onCorrupt: cid => corrupt.push(cid) })
    const good = await block('good')
    const bad = await block('will rot')
    await store.put(good.id, good.bytes)
    await store.put(bad.id, bad.bytes)
    const rotten = bad.bytes.slice()
    rotten[3]! ^= 0x10
    await writeFile(pathOf(dir, bad.id), rotten)

    await expect(store.get(bad.id)).rejects.toMatchObject({ code: 'ERR_INTEGRITY' })
    expect(corrupt).toEqual([bad.id.toString()])
    expect(await store.has(bad.id)).toBe(false)
    const quarantined = await readdir(join(dir, 'quarantine'))
    expect(quarantined).toHaveLength(1)
    expect(quarantined[0]!.startsWith(bad.id.toString())).toBe(true)
    expect(await store.stats()).toMatchObject({ blocks: 1, bytes: good.bytes.length })
    await expect(store.get(bad.id)).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' })
    await store.put(bad.id, bad.bytes)
    expect(await store.get(bad.id)).toEqual(bad.bytes)
  })

  it('reads a block straight into the buffer into gives (a frame to send), checked like any read', async () => {
    const { store, dir } = await openTemp()
    const b = await block('read me into a frame')
    const bad = await block('rots before it is read')
    await store.put(b.id, b.bytes)
    await store.put(bad.id, bad.bytes)
    const frame = new Uint8Array(b.bytes.length + 10)
    const asked: number[] = []
    const got = await store.get(b.id, { into: (length) => { asked.push(length); return frame.subarray(4, 4 + length) } })
    expect(asked).toEqual([b.bytes.length])
    expect(got.buffer).toBe(frame.buffer)
    expect(got.byteOffset).toBe(4)
    expect(got).toEqual(b.bytes)
    // A wrong-sized buffer is the caller's error; nothing is read into it.
    await expect(store.get(b.id, { into: (length) => new Uint8Array(length + 1) })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' })
    // Rotten bytes read into the caller's buffer still fail the hash check and are quarantined.
    const rotten = bad.bytes.slice()
    rotten[0]! ^= 1
    await writeFile(pathOf(dir, bad.id), rotten)
    await expect(store.get(bad.id, { into: (length) => new Uint8Array(length) })).rejects.toMatchObject({ code: 'ERR_INTEGRITY' })
    expect(await store.has(bad.id)).toBe(false)
  })

  it('quarantines a block file larger than any block without reading it into memory', async () => {
    const { store, dir } = await openTemp()
    const b = await block('grows on disk')
    await store.put(b.id, b.bytes)
    await writeFile(pathOf(dir, b.id), new Uint8Array(MAX_BLOCK_SIZE + 1))
    const asked: number[] = []
    await expect(store.get(b.id, { into: (length) => { asked.push(length); return new Uint8Array(length) } })).rejects.toMatchObject({ code: 'ERR_INTEGRITY' })
    expect(asked).toEqual([])
    expect(await store.has(b.id)).toBe(false)
  })

  it('fsck re-hashes every block and quarantines the corrupt ones', async () => {
    const { store, dir } = await openTemp()
    const blocks = await Promise.all(['a', 'b', 'c', 'd'].map(block))
    for (const b of blocks) await store.put(b.id, b.bytes)
    await writeFile(pathOf(dir, blocks[1]!.id), 'x')
    await writeFile(pathOf(dir, blocks[3]!.id), new Uint8Array(0))
    const result = await store.fsck()
    expect(result.checked).toBe(4)
    expect(result.corrupt.sort()).toEqual([blocks[1]!.id.toString(), blocks[3]!.id.toString()].sort())
    expect(await store.fsck()).toEqual({ checked: 2, corrupt: [] })
  })

  it('removes leftover temp files at open and ignores stray files', async () => {
    const { store, dir } = await openTemp()
    const b = await block('kept')
    await store.put(b.id, b.bytes)
    const shard = join(dir, b.id.toString().slice(-2))
    await writeFile(join(shard, `.tmp-${b.id.toString()}-deadbeef`), 'half a blo')
    await writeFile(join(shard, 'README'), 'not a block')
    await writeFile(join(dir, 'zz-not-a-shard'), 'stray')
    await store.close()

    const reopened = await FsBlockStore.open(dir)
    expect((await readdir(shard)).sort()).toEqual(['README', b.id.toString()])
    expect(await reopened.stats()).toEqual({ blocks: 1, bytes: b.bytes.length })
    const ids: string[] = []
    for await (const id of reopened.ids()) ids.push(id.toString())
    expect(ids).toEqual([b.id.toString()])
  })

  it('counts what is on disk at open', async () => {
    const { store, dir } = await openTemp({ maxStorage: 1000 })
    const blocks = await Promise.all(['one', 'two', 'three'].map(block))
    for (const b of blocks) await store.put(b.id, b.bytes)
    const reopened = await FsBlockStore.open(dir, { maxStorage: 1000 })
    expect(await reopened.stats()).toEqual({ blocks: 3, bytes: 11, capacity: 1000 })
  })

  it('rejects bad ids with InvalidIdError and touches nothing outside its dir', async () => {
    const { store, dir, root } = await openTemp()
    const b = await block('victim')
    await writeFile(join(root, 'outside'), 'precious')
    const key = b.id.toString()
    const bad: unknown[] = [
      '../outside', '%2e%2e', '..', '/etc/passwd', key.toUpperCase(), key.slice(0, -1), `${key}a`,
      `../${key.slice(3)}`, key.replace('bafkrei', 'bafkrei/'), '', 42, null, {},
      CID.createV1(0x71, b.id.multihash), CID.createV0(b.id.multihash as never)
    ]
    for (const id of bad) {
      await expect(store.put(id as BlockId, b.bytes), String(id)).rejects.toMatchObject({ code: 'ERR_INVALID_ID' })
      await expect(store.get(id as BlockId), String(id)).rejects.toMatchObject({ code: 'ERR_INVALID_ID' })
      await expect(store.has(id as BlockId), String(id)).rejects.toMatchObject({ code: 'ERR_INVALID_ID' })
      await expect(store.delete(id as BlockId), String(id)).rejects.toMatchObject({ code: 'ERR_INVALID_ID' })
    }
    expect(await readFile(join(root, 'outside'), 'utf8')).toBe('precious')
    expect((await readdir(root)).sort()).toEqual(['blocks', 'outside'])
    expect(await readdir(dir)).toEqual(['quarantine'])
  })

  it('enforces maxStorage before writing', async () => {
    const { store, dir } = await openTemp({ maxStorage: 10 })
    const a = await block('12345678')
    const b = await block('abc')
    await store.put(a.id, a.bytes)
    await expect(store.put(b.id, b.bytes)).rejects.toMatchObject({ code: 'ERR_STORAGE_FULL' })
    await expect(stat(pathOf(dir, b.id))).rejects.toMatchObject({ code: 'ENOENT' })
    await store.put(a.id, a.bytes)
    expect(await store.stats()).toEqual({ blocks: 1, bytes: 8, capacity: 10 })
    await store.delete(a.id)
    await store.put(b.id, b.bytes)
    expect(await store.stats()).toEqual({ blocks: 1, bytes: 3, capacity: 10 })
  })

  it('holds concurrent puts against the quota', async () => {
    const { store } = await openTemp({ maxStorage: 25 })
    const blocks = await Promise.all(['0123456789', 'abcdefghij', 'klmnopqrst', 'uvwxyzABCD'].map(block))
    const results = await Promise.allSettled(blocks.map(async b => store.put(b.id, b.bytes)))
    expect(results.filter(r => r.status === 'fulfilled')).toHaveLength(2)
    expect(await store.stats()).toMatchObject({ blocks: 2, bytes: 20 })
  })
})
