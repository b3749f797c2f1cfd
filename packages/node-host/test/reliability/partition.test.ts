/**
 * Issue item 3 — partition. Three real host processes (R = 3); a client
 * writes through host a while b and c are frozen with SIGSTOP: a silent
 * partition (their sockets stay open, nothing answers). Writes keep going
 * through the partition and after a has dropped the silent hosts.
 *  - every put either resolves with at least W = min(2, live hosts) copies or
 *    rejects with `ReplicationError` (ERR_REPLICATION), within its time bound (no hang);
 *  - after SIGCONT the mesh heals and repair brings every acknowledged block
 *    back to R = 3 copies: each host holds it and re-hashes it; nothing acknowledged is lost.
 * With default timings a needs 25–40 s to give up on the frozen hosts
 * (ping every 15 s, 10 s to answer; a put's copy times out after 30 s).
 */
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ReplicationError } from '@cairn/core'
import type { MeshNode } from '@cairn/core'
import { Cluster, waitFor, type HostProcess } from '../harness.js'
import { badBlocks, scanBlocks } from './support/disk.js'
import { connectClient, randomBlock } from './support/mesh.js'

/** One put: its copies or error code, time taken, and the fewest other hosts a saw around it. */
interface Outcome { id: string, copies?: number, code?: string, ms: number, hostsAround: number }
interface Status { blocks: number, underReplicated: number, peers: Array<{ role: string }> }

/** Longest a put may take: the client waits twice the host's put timeout (30 s). */
const PUT_BOUND = 65_000

describe('a silent partition during puts', () => {
  const cluster = new Cluster()
  let client: MeshNode | undefined
  let a: HostProcess, b: HostProcess, c: HostProcess
  const outcomes: Outcome[] = []
  afterAll(async () => {
    await client?.stop()
    await cluster.cleanup()
  })

  const status = async (h: HostProcess): Promise<Status> => (await cluster.json<Status>(['status', '--mesh', h.url]))[0]!
  const hostsSeenBy = async (h: HostProcess): Promise<number> => (await status(h)).peers.filter(p => p.role === 'host').length
  const hostsOfA = async (): Promise<number> => (await client!.requestStatus(a.peerId)).peers.filter(p => p.role === 'host').length

  /** One put of a new block through a, recorded in `outcomes`. */
  async function put (): Promise<void> {
    const block = await randomBlock(64 * 1024)
    const before = await hostsOfA()
    const started = performance.now()
    const outcome: Outcome = { id: block.cid.toString(), ms: 0, hostsAround: before }
    try {
      outcome.copies = (await client!.putBlock(block.cid, block.bytes)).copies
    } catch (err) {
      expect(err).toBeInstanceOf(ReplicationError)
      outcome.code = (err as ReplicationError).code
    }
    outcome.ms = performance.now() - started
    outcome.hostsAround = Math.min(before, await hostsOfA())
    outcomes.push(outcome)
  }

  /** Freeze b and c; keep 4 puts going until a has dropped them and 4 more puts are done. Returns ms until the drop. */
  async function writeThroughPartition (): Promise<number> {
    b.child.kill('SIGSTOP')
    c.child.kill('SIGSTOP')
    const stoppedAt = performance.now()
    let running = true
    const writer = async (): Promise<void> => { while (running) await put() }
    const writers = Promise.all([writer(), writer(), writer(), writer()])
    await waitFor('a to drop the frozen hosts', async () => await hostsOfA() === 0 ? true : undefined, { timeout: 90_000, interval: 500 })
    const dropMs = performance.now() - stoppedAt
    const aloneSince = outcomes.length
    await waitFor('4 puts after a is alone', async () => outcomes.length >= aloneSince + 4 ? true : undefined, { timeout: PUT_BOUND })
    running = false
    await writers
    return dropMs
  }

  /** Every block in `ids` on all three hosts' disks, re-hashing, and underReplicated 0 everywhere. */
  async function waitForR (ids: string[]): Promise<void> {
    await waitFor('every acknowledged block on all three hosts', async () => {
      const scans = await Promise.all([a, b, c].map(async h => new Set((await scanBlocks(join(h.data, 'blocks'))).blocks.map(f => f.id))))
      return scans.every(held => ids.every(id => held.has(id))) ? true : undefined
    }, { timeout: 120_000, interval: 500 })
    for (const h of [a, b, c]) {
      expect(await badBlocks((await scanBlocks(join(h.data, 'blocks'))).blocks)).toEqual([])
      await waitFor('underReplicated 0', async () => (await status(h)).underReplicated === 0 ? true : undefined, { timeout: 60_000 })
    }
  }

  it('acknowledges only writes that reached W copies, fails the others clearly, and repairs to R after healing', async () => {
    a = await cluster.startHost()
    b = await cluster.startHost(['--peer', a.peerUrl])
    c = await cluster.startHost(['--peer', a.peerUrl])
    for (const h of [a, b, c]) await waitFor('a full mesh', async () => await hostsSeenBy(h) === 2 ? true : undefined)
    client = await connectClient([a.url])
    for (let i = 0; i < 8; i++) await put()
    expect(outcomes.every(o => o.copies === 3)).toBe(true)

    const dropMs = await writeThroughPartition()
    b.child.kill('SIGCONT')
    c.child.kill('SIGCONT')
    const healedAt = performance.now()
    for (const h of [a, b, c]) await waitFor('the mesh to heal', async () => await hostsSeenBy(h) === 2 ? true : undefined, { timeout: 60_000 })

    // Each put reached W = min(2, live hosts) or failed with ERR_REPLICATION; none hung.
    const acked = outcomes.filter(o => o.copies !== undefined)
    const failed = outcomes.filter(o => o.copies === undefined)
    for (const o of acked) expect(o.copies).toBeGreaterThanOrEqual(Math.min(2, o.hostsAround + 1))
    for (const o of failed) expect(o.code).toBe('ERR_REPLICATION')
    for (const o of outcomes) expect(o.ms).toBeLessThan(PUT_BOUND)
    expect(failed.length).toBeGreaterThan(0)
    expect(acked.filter(o => o.copies === 1).length).toBeGreaterThan(0)

    await waitForR(acked.map(o => o.id))
    console.log(`partition: ${outcomes.length} puts (${acked.length} acknowledged, ${acked.filter(o => o.copies === 1).length} of them ` +
      `with 1 copy while a was alone; ${failed.length} failed with ERR_REPLICATION, slowest ${Math.round(Math.max(...outcomes.map(o => o.ms)))} ms); ` +
      `a dropped the frozen hosts after ${Math.round(dropMs)} ms; R = 3 restored ${Math.round(performance.now() - healedAt)} ms after SIGCONT`)
  }, 300_000)
})
