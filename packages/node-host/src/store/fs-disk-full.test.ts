import { mkdtemp, readdir, rm } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { blockId } from '@cairn/core'

// Disk-full is simulated: `open` hands out temp-file handles whose writes
// stop half way with ENOSPC (or EDQUOT), as a full disk would.
const failure = vi.hoisted(() => ({ code: undefined as string | undefined }))
vi.mock('node:fs/promises', async importOriginal => {
  const actual = await importOriginal<typeof import('node:fs/promises')>()
  const open = async (...args: Parameters<typeof actual.open>): Promise<FileHandle> => {
    const fh = await actual.open(...args)
    const code = failure.code
    if (code === undefined || !String(args[0]).includes('.tmp-')) return fh
    return new Proxy(fh, {
      get (target, prop) {
        if (prop !== 'writeFile') return Reflect.get(target, prop, target)
        return async (data: Uint8Array) => {
          await target.write(data.subarray(0, data.length >> 1))
          throw Object.assign(new Error(`${code}: simulated`), { code })
        }
      }
    })
  }
  return { ...actual, open }
})

const { FsBlockStore } = await import('./fs.js')

const dirs: string[] = []
afterEach(async () => {
  failure.code = undefined
  await Promise.all(dirs.splice(0).map(async d => rm(d, { recursive: true, force: true })))
})

describe('FsBlockStore when the disk is full', () => {
  for (const code of ['ENOSPC', 'EDQUOT']) {
    it(`maps ${code} to StorageFullError, removes the temp file and stays usable`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'cairn-full-'))
      dirs.push(dir)
      const store = await FsBlockStore.open(dir)
      const bytes = new Uint8Array(5000).fill(7)
      const id = await blockId(bytes)

      failure.code = code
      const err = await store.put(id, bytes).catch((e: unknown) => e)
      expect(err).toMatchObject({ code: 'ERR_STORAGE_FULL' })
      expect((err as Error).cause).toMatchObject({ code })
      const shard = join(dir, id.toString().slice(-2))
      expect(await readdir(shard)).toEqual([])
      expect(await store.has(id)).toBe(false)
      expect(await store.stats()).toEqual({ blocks: 0, bytes: 0 })

      failure.code = undefined
      await store.put(id, bytes)
      expect(await store.get(id)).toEqual(bytes)
    })
  }
})
