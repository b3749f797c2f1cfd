/** The host relay through real nodes on the memory network: tabs, a relaying host, lying and slow sources. Caps on `Relay` alone: relay-caps.test.ts; failed relays in the request server: relay-serve.test.ts. */
import { afterEach, describe, expect, it } from 'vitest'
import { decodeBlockId } from '../block/id.js'
import type { BlockId } from '../block/id.js'
import { RelayBudgetError, RelayBusyError, UnavailableError } from '../errors.js'
import type { Message } from '../wire/messages.js'
import { HOST_KEY, makeBlock, rawConnect, sameBytes, TestMesh } from '../../test/support/mesh.js'
import type { RawPeer, TestNode } from '../../test/support/mesh.js'
import { splitParts } from './parts.js'

let mesh: TestMesh
afterEach(async () => { await mesh?.stopAll() })

/**
 * A tab driven frame by frame: it announces the blocks it holds to its host
 * and answers the host's `want`s with them (or with flipped bytes, or one
 * byte then `dont-have`: liars), recording every `want` it was sent.
 */
async function rawTab (host: TestNode, blocks: Array<{ cid: BlockId, bytes: Uint8Array }>, options: { lie?: boolean, oneByte?: boolean } = {}): Promise<RawPeer & { wants: number }> {
  const raw = Object.assign(await rawConnect(mesh, host.address, { role: 'browser' }), { wants: 0 })
  const held = new Map(blocks.map(b => [b.cid.toString(), b.bytes]))
  await raw.send({ t: 'have', cids: blocks.map(b => b.cid.bytes) })
  // Frames on one connection are handled in order: once `info` is back, the host has the announcement.
  await raw.send({ t: 'status', id: 1 })
  await raw.nextMatching(msg => msg.t === 'info')
  void (async () => {
    for (;;) {
      const msg = await raw.next().catch(() => undefined)
      if (msg === undefined) return
      if (msg.t !== 'want') continue
      raw.wants++
      const bytes = held.get(decodeBlockId(msg.cid).toString())?.slice()
      if (bytes === undefined || msg.probe === true) {
        await raw.send({ t: 'dont-have', id: msg.id })
        continue
      }
      if (options.lie === true) bytes[0]! ^= 0xff
      if (options.oneByte === true) {
        // Announces the whole block, sends one byte of it, then says it does not have it.
        await raw.send({ t: 'block', id: msg.id, offset: 0, total: bytes.length, data: bytes.subarray(0, 1) })
        await raw.send({ t: 'dont-have', id: msg.id })
        continue
      }
      for (const part of splitParts(bytes, raw.conn.maxFrameSize)) {
        await raw.send({ t: 'block', id: msg.id, offset: part.offset, total: bytes.length, data: part.data }).catch(() => {})
      }
    }
  })()
  return raw
}

/** A tab (a real node, no WebRTC in the memory network) connected to `host` only. */
async function tab (host: TestNode): Promise<TestNode> {
  const node = await mesh.add('browser')
  await node.node.dial(host.address)
  return node
}

describe('relay through a --no-store host', () => {
  it('relays a block only another tab holds, byte-identical, and counts its bytes', async () => {
    mesh = new TestMesh()
    const host = await mesh.host({ noStore: true, relay: { budget: 10_000_000 } })
    const block = await makeBlock(300_000, 1)
    const holder = await rawTab(host, [block])
    const reader = await tab(host)
    expect(reader.node.peers()[0]!.relays).toBe(true)
    expect(sameBytes(await reader.node.getBlock(block.cid), block.bytes)).toBe(true)
    expect(holder.wants).toBe(1)
    const status = await host.node.status()
    expect(status).toMatchObject({ relay: true, relayBudget: 10_000_000, relayedBytes: 300_000, blocks: 0 })
  })

  it('does not relay without --relay: the tab gets UnavailableError and the host asked nobody', async () => {
    mesh = new TestMesh()
    const host = await mesh.host({ noStore: true })
    const block = await makeBlock(1000, 2)
    const holder = await rawTab(host, [block])
    const reader = await tab(host)
    expect(reader.node.peers()[0]!.relays).toBeUndefined()
    await expect(reader.node.getBlock(block.cid)).rejects.toBeInstanceOf(UnavailableError)
    expect(holder.wants).toBe(0)
    expect(await host.node.status()).toMatchObject({ relay: false, relayedBytes: 0 })
    expect((await host.node.status()).relayBudget).toBeUndefined()
  })

  it('stops at its budget with ERR_RELAY_BUDGET, counting exactly the bytes it forwarded', async () => {
    mesh = new TestMesh()
    const size = 100_000
    const host = await mesh.host({ noStore: true, relay: { budget: 2.5 * size } })
    const blocks = await Promise.all([1, 2, 3].map(async seed => await makeBlock(size, 10 + seed)))
    const small = await makeBlock(size / 2, 20)
    const holder = await rawTab(host, [...blocks, small])
    const reader = await tab(host)
    expect(sameBytes(await reader.node.getBlock(blocks[0]!.cid), blocks[0]!.bytes)).toBe(true)
    expect(sameBytes(await reader.node.getBlock(blocks[1]!.cid), blocks[1]!.bytes)).toBe(true)
    const err = await reader.node.getBlock(blocks[2]!.cid).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RelayBudgetError)
    expect((err as RelayBudgetError).code).toBe('ERR_RELAY_BUDGET')
    expect((err as Error).message).toContain("relay budget is used up")
    expect((await host.node.status()).relayedBytes).toBe(2 * size)
    // Half a block still fits: exact accounting, not a rounded-up reservation.
    expect(sameBytes(await reader.node.getBlock(small.cid), small.bytes)).toBe(true)
    expect((await host.node.status()).relayedBytes).toBe(2.5 * size)
    await expect(reader.node.getBlock(blocks[2]!.cid)).rejects.toBeInstanceOf(RelayBudgetError)
    // Refused on the first part, and then before asking at all: 3 blocks + the small one + one refused attempt.
    expect(holder.wants).toBe(4)
  })

  it('rejects a lying source (bad hash) and relays from an honest one; the lie\'s bytes count against the budget too', async () => {
    mesh = new TestMesh()
    const host = await mesh.host({ noStore: true, relay: {} })
    const block = await makeBlock(50_000, 3)
    const liar = await rawTab(host, [block], { lie: true })
    const reader = await tab(host)
    await expect(reader.node.getBlock(block.cid)).rejects.toBeInstanceOf(UnavailableError)
    expect(liar.wants).toBe(1)
    // The host took the lie in for the asker: a member pairing its own lying tab with its asks
    // would otherwise move bytes through the host without limit.
    expect((await host.node.status()).relayedBytes).toBe(50_000)
    const honest = await rawTab(host, [block])
    expect(sameBytes(await reader.node.getBlock(block.cid), block.bytes)).toBe(true)
    expect(honest.wants).toBe(1)
    // Every attempt counted once: each lie the liar was asked for again, and the honest copy.
    expect((await host.node.status()).relayedBytes).toBe(50_000 * (liar.wants + honest.wants))
  })

  it('charges a source that announces a block and sends one byte of it that one byte, not the block', async () => {
    mesh = new TestMesh()
    const size = 100_000
    const host = await mesh.host({ noStore: true, relay: { budget: 1.5 * size } })
    const block = await makeBlock(size, 9)
    const liar = await rawTab(host, [block], { oneByte: true })
    const reader = await tab(host)
    await expect(reader.node.getBlock(block.cid)).rejects.toBeInstanceOf(UnavailableError)
    expect(liar.wants).toBe(1)
    // It took in one byte for the asker: that byte counts, the size it announced does not.
    expect((await host.node.status()).relayedBytes).toBe(1)
    // So the budget still has room for the whole block from an honest source.
    const honest = await rawTab(host, [block])
    expect(sameBytes(await reader.node.getBlock(block.cid), block.bytes)).toBe(true)
    expect(honest.wants).toBe(1)
    expect((await host.node.status()).relayedBytes).toBe(liar.wants + size)
  })

  it('never asks the asker itself, even when it announced the block', async () => {
    mesh = new TestMesh()
    const host = await mesh.host({ noStore: true, relay: {} })
    const block = await makeBlock(1000, 4)
    const asker = await rawConnect(mesh, host.address, { role: 'browser' })
    await asker.send({ t: 'have', cids: [block.cid.bytes] })
    await asker.send({ t: 'want', id: 7, cid: block.cid.bytes })
    const seen: Message[] = []
    const reply = await asker.nextMatching(msg => { seen.push(msg); return 'id' in msg && msg.id === 7 })
    expect(reply?.t).toBe('dont-have')
    expect(seen.filter(msg => msg.t === 'want')).toEqual([])
  })

  it('relays one hop only: never for a host, never through another relay', async () => {
    mesh = new TestMesh()
    const near = await mesh.host({ noStore: true, relay: {} })
    const far = await mesh.host({ noStore: true, relay: {} })
    await near.node.dial(far.address)
    const block = await makeBlock(1000, 5)
    const holder = await rawTab(far, [block])
    // A tab of `near` asks: `near` has no source (it never asks the relay `far`), so no loop and no relay.
    const reader = await tab(near)
    await expect(reader.node.getBlock(block.cid)).rejects.toBeInstanceOf(UnavailableError)
    expect(holder.wants).toBe(0)
    // A host asking `far` directly for a block only `far`'s tab holds gets dont-have: hosts relay for tabs and clients only.
    const otherHost = await rawConnect(mesh, far.address, { role: 'host', hostKey: HOST_KEY })
    await otherHost.send({ t: 'want', id: 9, cid: block.cid.bytes })
    expect((await otherHost.nextMatching(msg => 'id' in msg && msg.id === 9))?.t).toBe('dont-have')
    expect(holder.wants).toBe(0)
    expect((await far.node.status()).relayedBytes).toBe(0)
    expect((await near.node.status()).relayedBytes).toBe(0)
  })

  it('refuses a block past its in-flight byte cap, before taking it', async () => {
    mesh = new TestMesh()
    const host = await mesh.host({ noStore: true, relay: {}, maxRelayBytes: 99_999 })
    const block = await makeBlock(100_000, 6)
    const holder = await rawTab(host, [block])
    const reader = await tab(host)
    const err = await reader.node.getBlock(block.cid).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(UnavailableError)
    expect((err as Error).cause).toBeInstanceOf(RelayBusyError)
    expect(holder.wants).toBe(1)
    expect((await host.node.status()).relayedBytes).toBe(0)
  })

  it('keeps forwarding to a tab that reads slowly past the forward deadline; closes one that stops reading', async () => {
    // Small frames, one buffered at each end: the host's sends wait on the tab's reads, as on a slow link.
    mesh = new TestMesh({ maxFrameSize: 16 * 1024, highWaterMark: 1 })
    const host = await mesh.host({ noStore: true, relay: {}, relayForwardTimeout: 1000 })
    const block = await makeBlock(400_000, 11)
    await rawTab(host, [block])
    const slow = await rawConnect(mesh, host.address, { role: 'browser' })
    await slow.send({ t: 'want', id: 5, cid: block.cid.bytes })
    // One frame every 100 ms: ~25 parts take ~2.5 s, more than twice the deadline, never idle near it.
    const got = new Uint8Array(block.bytes.length)
    let received = 0
    while (received < got.length) {
      await new Promise(resolve => setTimeout(resolve, 100))
      const msg = await slow.next()
      if (msg === undefined) throw new Error('the host closed the slow tab')
      if (msg.t === 'block' && msg.id === 5) {
        got.set(msg.data, msg.offset)
        received += msg.data.length
      } else if ('id' in msg && msg.id === 5) throw new Error(`the host answered ${msg.t}`)
    }
    expect(sameBytes(got, block.bytes)).toBe(true)
    // A tab that asks and then reads nothing is closed once the deadline passes with nothing taken.
    const stuck = await rawConnect(mesh, host.address, { role: 'browser' })
    await stuck.send({ t: 'want', id: 6, cid: block.cid.bytes })
    const started = performance.now()
    await stuck.conn.closed
    expect(performance.now() - started).toBeGreaterThanOrEqual(1000)
  })

  it('a host with a store relays by default, without a budget', async () => {
    mesh = new TestMesh()
    const host = await mesh.host()
    const block = await makeBlock(2000, 7)
    await rawTab(host, [block])
    const reader = await tab(host)
    expect(sameBytes(await reader.node.getBlock(block.cid), block.bytes)).toBe(true)
    const status = await host.node.status()
    expect(status).toMatchObject({ relay: true, relayedBytes: 2000 })
    expect(status.relayBudget).toBeUndefined()
    expect(await host.store!.has(block.cid)).toBe(false) // relayed, not kept
  })
})
