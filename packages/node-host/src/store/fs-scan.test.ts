import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { blockId } from '@cairn/core'
import { FsBlockStore } from './fs.js'

/** Directory listings the store asks the fs pool for. */
const listings = vi.hoisted(() => ({ opendir: 0, readdir: 0 }))
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>()
  return {
    ...fs,
    opendir: async (...args: Parameters<typeof fs.opendir>) => { listings.opendir++; return await fs.opendir(...args) },
    readdir: async (...args: Parameters<typeof fs.readdir>) => { listings.readdir++; return await (fs.readdir as (...a: unknown[]) => Promise<unknown>)(...args) }
  }
})

const dirs: string[] = []
afterEach(async () => {
  await Promise.all(dirs.splice(0).map(async d => await rm(d, { recursive: true, force: true })))
})

describe('FsBlockStore.ids', () => {
  it('lists the store with one readdir per shard (repair walks every shard on every pass)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-scan-'))
    dirs.push(dir)
    const store = await FsBlockStore.open(join(dir, 'blocks'), { durable: false })
    const ids = new Set<string>()
    const shards = new Set<string>()
    for (let i = 0; i < 40; i++) {
      const bytes = new TextEncoder().encode(`block ${i}`)
      const id = await blockId(bytes)
      await store.put(id, bytes, { record: { replicas: 2 } })
      ids.add(id.toString())
      shards.add(id.toString().slice(-2))
    }
    listings.opendir = 0
    listings.readdir = 0
    const listed: string[] = []
    for await (const id of store.ids()) listed.push(id.toString())
    expect(new Set(listed)).toEqual(ids)
    expect(listed).toHaveLength(ids.size)
    expect(listings).toEqual({ opendir: 0, readdir: shards.size + 1 })
  })
})
