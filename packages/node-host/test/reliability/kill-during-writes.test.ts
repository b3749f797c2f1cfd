/**
 * Issue item 1 — kill -9 during writes. A real host process stores blocks
 * pushed by a client (16 puts in flight) and is killed with SIGKILL at a
 * random point: after a random number of acknowledged puts, plus a random
 * number of event-loop turns. Then, looking at its disk directly and after
 * restarting it on the same data dir:
 *  - every block acknowledged (`stored`) before the kill is there and reads back byte-identical;
 *  - no file under a final block name is partial: every one re-hashes to its id;
 *  - every block under its final name has its record (written before it), with the put's expiry;
 *  - leftover temp files and records without their block are removed at restart, and the host counts exactly what is on disk.
 * Every 5th run restarts the real host process and reads every block through
 * the mesh; the others reopen the data dir with `FsBlockStore.open` (what the
 * host does at start) and read every block from it, to keep the suite short.
 * A process kill leaves the page cache alone, so this proves crash safety of
 * the write path (temp file, rename), not durability across power loss (fsync).
 */
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { MAX_BLOCK_SIZE } from '@cairn/core/crypto'
import type { MeshNode } from '@cairn/core'
import { FsBlockStore } from '../../src/store/fs.js'
import { Cluster } from '../harness.js'
import { badBlocks, scanBlocks } from './support/disk.js'
import { connectClient, randomBlock, type Block } from './support/mesh.js'
import { seededRandom } from './support/random.js'

const RUNS = 50
const POOL = 32
const IN_FLIGHT = 16
/** The expiry every put asks for: each block's record must survive the kill with it. */
const EXPIRES = Date.UTC(2100, 0, 1)

interface RunFigures { acked: number, final: number, temp: number, onDisk: Set<string> }

describe('kill -9 while a host stores blocks', () => {
  const cluster = new Cluster()
  afterAll(async () => { await cluster.cleanup() })

  it(`loses nothing acknowledged and leaves no partial block, over ${RUNS} kills at random points`, async () => {
    const random = seededRandom('kill-during-writes')
    // 1/4 small blocks, 1/8 full ones, the rest up to 256 KiB.
    const size = (i: number): number => i % 4 === 0 ? random.between(1, 4096) : i % 8 === 1 ? MAX_BLOCK_SIZE : random.between(4097, 256 * 1024)
    const pool: Block[] = []
    for (let i = 0; i < POOL; i++) pool.push(await randomBlock(size(i)))
    const byId = new Map(pool.map(b => [b.cid.toString(), b]))
    const figures: RunFigures[] = []
    const started = performance.now()

    for (let run = 0; run < RUNS; run++) {
      const data = join(await cluster.tempDir('cairn-kill-'), 'data')
      const restart = run % 5 === 4 ? restartHost : reopenStore
      figures.push(await killRun(cluster, data, random.shuffle(pool), random.int(POOL - IN_FLIGHT), random.int(4)))
      await restart(cluster, data, figures.at(-1)!.onDisk, byId)
      await rm(data, { recursive: true, force: true })
    }

    const total = (key: 'acked' | 'final' | 'temp'): number => figures.reduce((sum, f) => sum + f[key], 0)
    console.log(`kill-during-writes: ${RUNS} SIGKILLs (${Math.floor(RUNS / 5)} followed by a real host restart) in ${Math.round(performance.now() - started)} ms; ` +
      `${total('acked')} puts acknowledged before a kill, ${total('final')} block files found after, ` +
      `${total('temp')} temp files left by interrupted writes (all removed at restart); ` +
      `${figures.filter(f => f.final > f.acked).length} runs had blocks stored but not yet acknowledged`)
    expect(figures).toHaveLength(RUNS)
    expect(total('temp') + figures.filter(f => f.final > f.acked).length).toBeGreaterThan(0)
  }, 400_000)
})

async function killRun (cluster: Cluster, data: string, blocks: Block[], killAfter: number, turns: number): Promise<RunFigures> {
  const host = await cluster.startHost([], { data })
  const client = await connectClient([host.url])
  const acked = new Set<string>()
  let kill: () => void = () => {}
  const killed = new Promise<void>(resolve => {
    kill = () => {
      kill = () => {}
      void afterTurns(turns).then(() => { host.child.kill('SIGKILL'); resolve() })
    }
  })
  if (killAfter === 0) kill()
  const queue = blocks.slice()
  const worker = async (): Promise<void> => {
    for (let block = queue.shift(); block !== undefined; block = queue.shift()) {
      await client.putBlock(block.cid, block.bytes, { expires: EXPIRES })
      acked.add(block.cid.toString())
      if (acked.size >= killAfter) kill()
    }
  }
  const workers = Promise.allSettled(Array.from({ length: IN_FLIGHT }, worker))
  await killed
  await host.exited
  await workers
  await client.stop()

  const after = await scanBlocks(join(data, 'blocks'))
  const onDisk = new Set(after.blocks.map(b => b.id))
  expect([...acked].filter(id => !onDisk.has(id)), 'acknowledged blocks missing after kill').toEqual([])
  expect(await badBlocks(after.blocks), 'partial or corrupt files under final names').toEqual([])
  expect(after.strays).toEqual([])
  expect(after.quarantined).toEqual([])
  const records = new Set(after.records)
  expect([...onDisk].filter(id => !records.has(id)), 'blocks without their record after kill').toEqual([])
  return { acked: acked.size, final: onDisk.size, temp: after.temp.length, onDisk }
}

/** Reopen the store as a restarting host does: temp files gone, every block counted and read byte-identical. */
async function reopenStore (_cluster: Cluster, data: string, onDisk: Set<string>, byId: Map<string, Block>): Promise<void> {
  const store = await FsBlockStore.open(join(data, 'blocks'))
  const scan = await scanBlocks(join(data, 'blocks'))
  expect(scan.temp).toEqual([])
  expect(new Set(scan.records), 'records without their block are removed at open').toEqual(onDisk)
  expect((await store.stats()).blocks).toBe(onDisk.size)
  for (const id of onDisk) {
    const block = byId.get(id)!
    expect(Buffer.from(await store.get(block.cid)).equals(block.bytes), `block ${id} differs after reopening`).toBe(true)
    expect((await store.record(block.cid))?.expires, `block ${id}'s record after reopening`).toBe(EXPIRES)
  }
  await store.close()
}

/** Restart the host process on the same data dir: temp files gone, every block counted and served byte-identical. */
async function restartHost (cluster: Cluster, data: string, onDisk: Set<string>, byId: Map<string, Block>): Promise<void> {
  const host = await cluster.startHost([], { data })
  let client: MeshNode | undefined
  try {
    const scan = await scanBlocks(join(data, 'blocks'))
    expect(scan.temp).toEqual([])
    expect(new Set(scan.blocks.map(b => b.id))).toEqual(onDisk)
    client = await connectClient([host.url])
    expect((await client.requestStatus(host.peerId)).blocks).toBe(onDisk.size)
    for (const id of onDisk) {
      const block = byId.get(id)!
      const got = await client.getBlock(block.cid)
      expect(Buffer.from(got).equals(block.bytes), `block ${id} differs after restart`).toBe(true)
    }
  } finally {
    await client?.stop()
    await cluster.kill(host, 'SIGKILL')
  }
}

async function afterTurns (turns: number): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise(resolve => setImmediate(resolve))
}
