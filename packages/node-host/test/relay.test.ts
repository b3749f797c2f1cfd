/**
 * Issue 17: `cairn host --relay[=BUDGET]` over real WebSockets. A tab (an
 * in-process browser-role node with its own store) holds blocks no host
 * keeps (its host is `--no-store`); a reader connected to that host alone
 * gets them through the host's relay, byte-identical, until the budget is
 * used up (ERR_RELAY_BUDGET), and `cairn status` shows what was relayed.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { MeshNode, RelayBudgetError, ReplicationError, UnavailableError, generateIdentity } from '@cairn/core'
import type { BlockId } from '@cairn/core'
import { MemoryBlockStore } from '@cairn/core/testing'
import { Cluster, waitFor } from './harness.js'
import { WebSocketTransport } from '../src/transport/websocket.js'
import { connectClient, randomBlock, targetOf, type Block } from './reliability/support/mesh.js'

interface RelayStatus { relay?: boolean, relayBudget?: number, relayedBytes?: number, blocks: number }

describe('cairn host --relay', () => {
  const cluster = new Cluster()
  const nodes: MeshNode[] = []
  afterEach(async () => { await Promise.all(nodes.splice(0).map(async n => { await n.stop() })) })
  afterAll(async () => { await cluster.cleanup() })

  /** A tab holding `blocks` (its put reaches no storing host: only it keeps them), announced to `url`'s host. */
  async function holder (url: string, blocks: Block[]): Promise<void> {
    const { address, token } = targetOf(url)
    const node = new MeshNode({ identity: await generateIdentity(), role: 'browser', store: new MemoryBlockStore(), transports: [new WebSocketTransport()], joinToken: token, repairInterval: 0 })
    nodes.push(node)
    await node.start()
    await node.dial(address)
    for (const block of blocks) await expect(node.putBlock(block.cid, block.bytes)).rejects.toBeInstanceOf(ReplicationError)
  }

  async function reader (url: string): Promise<MeshNode> {
    const node = await connectClient([url])
    nodes.push(node)
    return node
  }

  /**
   * A read, retried while the holder's announcements (batched) are on their
   * way to the host (until then the host has no source: `dont-have`, which
   * costs no budget); resolves with the bytes or the first other error.
   */
  async function read (node: MeshNode, cid: BlockId): Promise<Uint8Array | Error> {
    return await waitFor('the holder\'s announcement to reach the host', async () => {
      try {
        return await node.getBlock(cid)
      } catch (err) {
        if (err instanceof UnavailableError) throw err // not announced yet: again
        return err as Error
      }
    }, { timeout: 15_000 })
  }

  async function same (node: MeshNode, block: Block): Promise<boolean> {
    const got = await read(node, block.cid)
    if (got instanceof Error) throw got
    return Buffer.from(got).equals(block.bytes)
  }

  async function status (url: string): Promise<RelayStatus> {
    const [s] = await cluster.json<RelayStatus>(['status', '--json', '--mesh', url])
    return s!
  }

  it('relays through a --no-store host up to its budget, counting exact bytes; then ERR_RELAY_BUDGET', async () => {
    const size = 256 * 1024
    const host = await cluster.startHost(['--no-store', '--relay', '640KiB'])
    const blocks = await Promise.all([0, 1, 2].map(async () => await randomBlock(size)))
    await holder(host.url, blocks)
    const client = await reader(host.url)
    expect(client.peers()[0]!.relays).toBe(true)
    expect(await same(client, blocks[0]!)).toBe(true)
    expect(await same(client, blocks[1]!)).toBe(true)
    const err = await read(client, blocks[2]!.cid)
    expect(err).toBeInstanceOf(RelayBudgetError)
    expect((err as RelayBudgetError).code).toBe('ERR_RELAY_BUDGET')
    expect(await status(host.url)).toMatchObject({ relay: true, relayBudget: 640 * 1024, relayedBytes: 2 * size, blocks: 0 })
    const human = await cluster.cli(['status', '--mesh', host.url])
    expect(human.stdout.toString()).toMatch(/relay +on, 512\.0 KiB relayed of a 640\.0 KiB budget/)
  }, 60_000)

  it('relays many blocks at once past its concurrency cap, each once, exact bytes; rate printed', async () => {
    const host = await cluster.startHost(['--no-store', '--relay'])
    const blocks = await Promise.all(Array.from({ length: 32 }, async () => await randomBlock(1024 * 1024)))
    await holder(host.url, blocks)
    const client = await reader(host.url)
    expect(await same(client, blocks[0]!)).toBe(true)
    const started = performance.now()
    // 31 reads at once: more than the relay's 8 at a time (and the reader's window), so some wait their turn.
    const got = await Promise.all(blocks.slice(1).map(async block => await same(client, block)))
    const ms = performance.now() - started
    expect(got.every(Boolean)).toBe(true)
    const s = await status(host.url)
    expect(s).toMatchObject({ relay: true, relayedBytes: 32 * 1024 * 1024, blocks: 0 })
    expect(s.relayBudget).toBeUndefined()
    console.log(`relay: 31 MiB tab → host → client in ${ms.toFixed(0)} ms (${(31 * 1000 / ms).toFixed(1)} MiB/s, 1 MiB blocks, all on loopback)`)
  }, 120_000)

  it('a --no-store host without --relay relays nothing: the reader learns no reachable peer has the block', async () => {
    const host = await cluster.startHost(['--no-store'])
    const block = await randomBlock(4096)
    await holder(host.url, [block])
    const client = await reader(host.url)
    expect(client.peers()[0]!.relays).toBeUndefined()
    await expect(client.getBlock(block.cid)).rejects.toBeInstanceOf(UnavailableError)
    expect(await status(host.url)).toMatchObject({ relay: false, relayedBytes: 0 })
    const human = await cluster.cli(['status', '--mesh', host.url])
    expect(human.stdout.toString()).toMatch(/relay +off/)
  }, 60_000)

  it('refuses a budget that is not a size; takes --relay=SIZE', async () => {
    const bad = await cluster.cli(['host', '--port', '0', '--data', await cluster.tempDir(), '--no-store', '--relay', 'lots'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--relay.*lots/)
    const host = await cluster.startHost(['--no-store', '--relay=2GiB'])
    expect(await status(host.url)).toMatchObject({ relay: true, relayBudget: 2 * 2 ** 30, relayedBytes: 0 })
  }, 60_000)
})
