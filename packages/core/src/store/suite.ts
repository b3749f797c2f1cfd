/**
 * The `BlockStore` compliance suite, free of any test framework so it runs
 * under vitest (`blockStoreSuite` in `testing/vitest.ts`) and in a browser
 * page alike. Every adapter must pass every case.
 */
import { CID } from 'multiformats/cid'
import { blockId } from '../block/id.js'
import type { BlockId } from '../block/id.js'
import { MAX_BLOCK_SIZE } from '../crypto/geometry.js'
import { bytesEqual, equal, ok, rejectsWithCode } from '../testing/assert.js'
import { testBytes } from '../testing/bytes.js'
import type { BlockStore } from './block-store.js'
import type { BlockRecord } from './record.js'

export interface TestCase {
  name: string
  fn: () => Promise<void>
}

export type BlockStoreFactory = () => Promise<BlockStore & { close?: () => Promise<void> }>

interface Block { id: BlockId, bytes: Uint8Array }

async function makeBlock (size: number, seed: number): Promise<Block> {
  const bytes = testBytes(size, seed)
  return { id: await blockId(bytes), bytes }
}

async function makeBlocks (count: number, size: number, firstSeed = 1000): Promise<Block[]> {
  return Promise.all(Array.from({ length: count }, async (_, i) => makeBlock(size + (i % 7), firstSeed + i)))
}

async function collectIds (store: BlockStore): Promise<string[]> {
  const out: string[] = []
  for await (const id of store.ids()) out.push(id.toString())
  return out
}

async function expectStats (store: BlockStore, blocks: number, bytes: number, when: string): Promise<void> {
  const stats = await store.stats()
  equal(stats.blocks, blocks, `stats().blocks ${when}`)
  equal(stats.bytes, bytes, `stats().bytes ${when}`)
}

async function expectIds (store: BlockStore, expected: Block[], when: string): Promise<void> {
  const ids = await collectIds(store)
  equal(new Set(ids).size, ids.length, `ids() yields no duplicates ${when}`)
  equal(ids.length, expected.length, `ids() count ${when}`)
  const want = new Set(expected.map(b => b.id.toString()))
  for (const id of ids) ok(want.has(id), `ids() yielded unexpected ${id} ${when}`)
}

async function expectRecord (store: BlockStore, id: BlockId, want: BlockRecord, when: string): Promise<void> {
  const got = await store.record(id)
  ok(got !== undefined, `record() ${when}`)
  equal(got.replicas, want.replicas, `record().replicas ${when}`)
  equal(got.expires, want.expires, `record().expires ${when}`)
  equal(got.owner === undefined, want.owner === undefined, `record().owner present ${when}`)
  if (got.owner !== undefined && want.owner !== undefined) bytesEqual(got.owner, want.owner, `record().owner ${when}`)
}

const sum = (blocks: Block[]): number => blocks.reduce((n, b) => n + b.bytes.length, 0)

/** Every case builds its own store with `factory` and closes it at the end. */
export function blockStoreCases (factory: BlockStoreFactory): TestCase[] {
  const withStore = (name: string, body: (store: BlockStore) => Promise<void>): TestCase => ({
    name,
    fn: async () => {
      const store = await factory()
      try {
        await body(store)
      } finally {
        await store.close?.()
      }
    }
  })

  return [
    withStore('put then get returns the same bytes, and has() sees it', async store => {
      const b = await makeBlock(1000, 1)
      equal(await store.has(b.id), false, 'has() before put')
      await store.put(b.id, b.bytes)
      equal(await store.has(b.id), true, 'has() after put')
      bytesEqual(await store.get(b.id), b.bytes, 'get() after put')
      await expectStats(store, 1, 1000, 'after one put')
    }),

    withStore('get of a missing block throws NotFoundError', async store => {
      const b = await makeBlock(10, 2)
      await rejectsWithCode(store.get(b.id), 'ERR_NOT_FOUND', 'get() of a missing block')
    }),

    withStore('put is idempotent', async store => {
      const b = await makeBlock(4096, 3)
      await store.put(b.id, b.bytes)
      await store.put(b.id, b.bytes)
      bytesEqual(await store.get(b.id), b.bytes, 'get() after two puts')
      await expectStats(store, 1, 4096, 'after putting the same block twice')
      await expectIds(store, [b], 'after putting the same block twice')
    }),

    withStore('delete removes a block; deleting a missing block is not an error', async store => {
      const [a, b] = await makeBlocks(2, 500)
      await store.put(a!.id, a!.bytes)
      await store.put(b!.id, b!.bytes)
      await store.delete(a!.id)
      equal(await store.has(a!.id), false, 'has() after delete')
      await rejectsWithCode(store.get(a!.id), 'ERR_NOT_FOUND', 'get() after delete')
      await store.delete(a!.id)
      bytesEqual(await store.get(b!.id), b!.bytes, 'the other block survives')
    }),

    withStore('stores an empty block', async store => {
      const b = await makeBlock(0, 4)
      await store.put(b.id, b.bytes)
      equal(await store.has(b.id), true, 'has() of the empty block')
      bytesEqual(await store.get(b.id), b.bytes, 'get() of the empty block')
      await expectStats(store, 1, 0, 'after putting the empty block')
    }),

    withStore('stores a full-size (1 MiB+) block', async store => {
      const b = await makeBlock(MAX_BLOCK_SIZE, 5)
      await store.put(b.id, b.bytes)
      bytesEqual(await store.get(b.id), b.bytes, 'get() of a full-size block')
      await expectStats(store, 1, MAX_BLOCK_SIZE, 'after putting a full-size block')
    }),

    withStore('holds many blocks', async store => {
      const blocks = await makeBlocks(300, 64)
      for (const b of blocks) await store.put(b.id, b.bytes)
      for (const b of blocks) bytesEqual(await store.get(b.id), b.bytes, `get() of ${b.id.toString()}`)
      await expectStats(store, blocks.length, sum(blocks), 'after 300 puts')
      await expectIds(store, blocks, 'after 300 puts')
    }),

    withStore('concurrent puts, including of the same block, count once each', async store => {
      const blocks = await makeBlocks(40, 2000)
      const same = blocks[0]!
      await Promise.all([
        ...blocks.map(async b => store.put(b.id, b.bytes)),
        ...Array.from({ length: 8 }, async () => store.put(same.id, same.bytes))
      ])
      await expectStats(store, blocks.length, sum(blocks), 'after concurrent puts')
      await expectIds(store, blocks, 'after concurrent puts')
      for (const b of blocks) bytesEqual(await store.get(b.id), b.bytes, 'get() after concurrent puts')
    }),

    withStore('stats() stays exact through deletes', async store => {
      const blocks = await makeBlocks(10, 3000)
      for (const b of blocks) await store.put(b.id, b.bytes)
      const gone = blocks.slice(0, 4)
      const kept = blocks.slice(4)
      await Promise.all(gone.map(async b => store.delete(b.id)))
      await Promise.all(gone.map(async b => store.delete(b.id)))
      await expectStats(store, kept.length, sum(kept), 'after deletes')
      await expectIds(store, kept, 'after deletes')
    }),

    withStore('ids() yields exactly the blocks held', async store => {
      await expectIds(store, [], 'of an empty store')
      const blocks = await makeBlocks(25, 100)
      for (const b of blocks) await store.put(b.id, b.bytes)
      await store.delete(blocks[3]!.id)
      await expectIds(store, blocks.filter((_, i) => i !== 3), 'after puts and a delete')
      for await (const id of store.ids()) ok(CID.asCID(id) !== null, 'ids() yields CIDs')
    }),

    withStore('later changes to the caller\'s buffer do not change a stored block', async store => {
      const b = await makeBlock(256, 6)
      const mine = b.bytes.slice()
      await store.put(b.id, mine)
      mine.fill(0)
      const got = await store.get(b.id)
      bytesEqual(got, b.bytes, 'get() after the caller reused its buffer')
      got.fill(1)
      bytesEqual(await store.get(b.id), b.bytes, 'get() after the caller changed a returned buffer')
    }),

    withStore('keeps a block\'s record; a block put without one has none', async store => {
      const [a, b] = await makeBlocks(2, 300, 2000)
      const owner = testBytes(32, 9)
      await store.put(a!.id, a!.bytes, { record: { replicas: 2, expires: 1_900_000_000_123, owner } })
      await store.put(b!.id, b!.bytes)
      const got = await store.record(a!.id)
      ok(got !== undefined, 'record() of a block put with one')
      equal(got.replicas, 2, 'record().replicas')
      equal(got.expires, 1_900_000_000_123, 'record().expires')
      ok(got.owner !== undefined, 'record().owner')
      bytesEqual(got.owner, owner, 'record().owner')
      equal(await store.record(b!.id), undefined, 'record() of a block put without one')
      await store.delete(a!.id)
      equal(await store.record(a!.id), undefined, 'record() after delete')
      await store.put(a!.id, a!.bytes, { record: { replicas: 1 } })
      equal((await store.record(a!.id))?.expires, undefined, 'a deleted block put again has only its new record')
    }),

    withStore('a block put twice keeps the most durable record: largest R, latest expiry, no expiry wins', async store => {
      const [a, b, c] = await makeBlocks(3, 200, 3000)
      const owner = testBytes(32, 10)
      await store.put(a!.id, a!.bytes, { record: { replicas: 3, expires: 5_000, owner } })
      await store.put(a!.id, a!.bytes, { record: { replicas: 2, expires: 9_000, owner } })
      await expectRecord(store, a!.id, { replicas: 3, expires: 9_000, owner }, 'after a later expiry and a smaller R')
      await store.put(a!.id, a!.bytes, { record: { replicas: 1, owner } })
      await expectRecord(store, a!.id, { replicas: 3, owner }, 'after a put without expiry')
      await store.put(a!.id, a!.bytes, { record: { replicas: 4, expires: 20_000, owner } })
      await expectRecord(store, a!.id, { replicas: 4, owner }, 'no expiry stays once set')
      await store.put(b!.id, b!.bytes, { record: { replicas: 2, owner } })
      await store.put(b!.id, b!.bytes, { record: { replicas: 2, owner: testBytes(32, 11) } })
      await expectRecord(store, b!.id, { replicas: 2 }, 'two owners claim it: nobody owns it')
      await store.put(c!.id, c!.bytes)
      await store.put(c!.id, c!.bytes, { record: { replicas: 5, expires: 7_000 } })
      await expectRecord(store, c!.id, { replicas: 5, expires: 7_000 }, 'a record added to a block held without one')
      await expectStats(store, 3, sum([a!, b!, c!]), 'records do not count as blocks or bytes')
      await expectIds(store, [a!, b!, c!], 'records are not ids')
    }),

    withStore('rejects a record out of range with BlockRecordError and stores nothing', async store => {
      const b = await makeBlock(100, 12)
      await rejectsWithCode(store.put(b.id, b.bytes, { record: { replicas: 0 } }), 'ERR_BLOCK_RECORD', 'put() with R = 0')
      await rejectsWithCode(store.put(b.id, b.bytes, { record: { replicas: 2, owner: new Uint8Array(5) } }), 'ERR_BLOCK_RECORD', 'put() with a short owner tag')
      await rejectsWithCode(store.put(b.id, b.bytes, { record: { replicas: 2, expires: -1 } }), 'ERR_BLOCK_RECORD', 'put() with a negative expiry')
      equal(await store.has(b.id), false, 'has() after rejected records')
      await expectStats(store, 0, 0, 'after rejected records')
    }),

    withStore('rejects ids that are not CIDv1 raw sha2-256 with InvalidIdError', async store => {
      const b = await makeBlock(8, 7)
      const cbor = CID.createV1(0x71, b.id.multihash)
      await rejectsWithCode(store.put(cbor, b.bytes), 'ERR_INVALID_ID', 'put() of a dag-cbor CID')
      await rejectsWithCode(store.get(cbor), 'ERR_INVALID_ID', 'get() of a dag-cbor CID')
      await rejectsWithCode(store.has(cbor), 'ERR_INVALID_ID', 'has() of a dag-cbor CID')
      await rejectsWithCode(store.delete(cbor), 'ERR_INVALID_ID', 'delete() of a dag-cbor CID')
      await expectStats(store, 0, 0, 'after rejected ids')
    })
  ]
}
