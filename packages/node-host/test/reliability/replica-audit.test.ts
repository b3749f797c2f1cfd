/**
 * Issue 10 item 3 — replica audits with real host processes. Three honest
 * hosts and one in-process host (holding the host key) whose store acks every
 * put, keeps nothing and answers every probe `have`: without audits its claims
 * count as copies for good. The honest hosts' repair passes (default sampling:
 * 5 % of claims, at most 16 audits a pass) find it, log it, cut it off, and
 * copy every block it claimed to an honest host.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { MemoryBlockStore } from '@cairn/core/testing'
import type { BlockId, MeshNode } from '@cairn/core'
import { Cluster, waitFor, type HostProcess } from '../harness.js'
import { startInProcessHost, type InProcessHost } from './support/inprocess-host.js'
import { connectClient, hostKeyOf, randomBlock, targetOf, type Block } from './support/mesh.js'

/** Acks every put, keeps nothing, claims everything it acked; lists no ids (it repairs nothing itself). */
class DroppingStore extends MemoryBlockStore {
  readonly claimed = new Set<string>()
  override async * ids (): AsyncIterable<BlockId> {}
  override async put (id: BlockId): Promise<void> { this.claimed.add(id.toString()) }
  override async has (id: BlockId): Promise<boolean> { return this.claimed.has(id.toString()) }
}

describe('a host that acks blocks and drops them', () => {
  const cluster = new Cluster()
  const store = new DroppingStore()
  let liar: InProcessHost | undefined
  let client: MeshNode | undefined
  afterAll(async () => {
    await client?.stop()
    await liar?.close()
    await cluster.cleanup()
  })

  it('fails its audits, is logged and cut off, and every block it claimed gets three real copies', async () => {
    const a = await cluster.startHost()
    const honest: HostProcess[] = [a, await cluster.startHost(['--peer', a.peerUrl]), await cluster.startHost(['--peer', a.peerUrl])]
    liar = await startInProcessHost({ store, hostKey: hostKeyOf(a.peerUrl) })
    await liar.node.dial(targetOf(a.url).address)
    await waitFor('a full mesh', async () => liar!.node.peers().filter(p => p.role === 'host').length === 3 ? true : undefined)

    client = await connectClient(honest.map(h => h.url))
    const blocks: Block[] = []
    for (let i = 0; i < 120; i++) {
      const block = await randomBlock(4096)
      expect(await client.putBlock(block.cid, block.bytes)).toEqual({ copies: 3 })
      blocks.push(block)
    }
    const claimed = blocks.filter(b => store.claimed.has(b.cid.toString()))
    // Fewer than R/hosts of them: audits may cut it off while the puts still run.
    expect(claimed.length).toBeGreaterThan(4)

    const realCopies = async (block: Block): Promise<number> => {
      let copies = 0
      for (const h of honest) if ((await client!.heldBy(h.peerId, [block.cid]))[0] === true) copies++
      return copies
    }
    await waitFor('three real copies of every claimed block', async () => {
      for (const b of claimed) if (await realCopies(b) < 3) return undefined
      return true
    // 7–13 s in 8 runs on 2026-12-03 (once the hosts that caught the liar stopped waiting for
    // those that had not yet: audit.ts, `misled`); over 120 s in 5 of 11 runs before.
    }, { timeout: 120_000, interval: 1_000 })
    const logs = honest.map(h => h.stderr()).join('\n')
    expect(logs).toMatch(new RegExp(`background audit failed: ERR_AUDIT host ${liar.node.peerId} claimed block \\S+ and failed its audit`))
    const [status] = await cluster.json<{ backgroundFailures: { audit: number } }>(['status', '--mesh', a.url])
    const audits = await Promise.all(honest.map(async h => (await cluster.json<{ backgroundFailures: { audit: number } }>(['status', '--mesh', h.url]))[0]!.backgroundFailures.audit))
    expect(status).toBeDefined()
    expect(audits.reduce((x, y) => x + y, 0)).toBeGreaterThan(0)
  }, 180_000)
})
