import { afterEach, describe, expect, it } from 'vitest'
import { decodeBlockId } from '../block/id.js'
import type { BlockId } from '../block/id.js'
import { AbortError, ConnectionClosedError, RelayBudgetError, RelayBusyError, TimeoutError, UnavailableError } from '../errors.js'
import type { Message } from '../wire/messages.js'
import { HOST_KEY, makeBlock, rawConnect, sameBytes, TestMesh } from '../../test/support/mesh.js'
import type { RawPeer, TestNode } from '../../test/support/mesh.js'
import { splitParts } from './parts.js'
import type { Peer } from './peer.js'
import { Relay } from './relay.js'
import { RequestServer } from './serve.js'
import { Semaphore } from './semaphore.js'
import type { NodeContext } from './context.js'
import type { Replicator } from './replicate.js'
import type { Remover } from './remove.js'
import type { RelayConfig } from './relay.js'

let mesh: TestMesh
afterEach(async () => { await mesh?.stopAll() }) // the Relay unit tests start no mesh

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

describe('Relay caps', () => {
  const asker = { peerId: 'tab', role: 'browser', lastSent: 0, close: () => {} } as unknown as Peer
  const config = (over: Partial<RelayConfig> = {}): RelayConfig => ({ enabled: true, maxRelays: 1, maxRelayBytes: 1000, ...over })

  it('runs at most maxRelays at once; the others wait their turn', async () => {
    let running = 0
    let peak = 0
    const gates: Array<() => void> = []
    const relay = new Relay(config(), async (_cid, options) => {
      running++
      peak = Math.max(peak, running)
      expect(options.admit!(10)).toBeUndefined()
      await new Promise<void>(resolve => gates.push(resolve))
      running--
      return new Uint8Array(10)
    })
    const { cid } = await makeBlock(10, 1)
    const forwarded: number[] = []
    const all = [1, 2, 3].map(async n => await relay.serve(asker, cid, async () => { forwarded.push(n) }))
    for (let i = 0; i < 3; i++) {
      while (gates.length === 0) await new Promise(resolve => setTimeout(resolve, 1))
      expect(relay.active).toBe(1)
      gates.shift()!()
    }
    expect(await Promise.all(all)).toEqual([true, true, true])
    expect(peak).toBe(1)
    expect(forwarded).toEqual([1, 2, 3])
    expect(relay.stats()).toEqual({ relay: true, relayedBytes: 30 })
  })

  it('refuses a first part that would pass the byte cap or the budget, and one arriving after it gave up', async () => {
    const { cid } = await makeBlock(10, 2)
    let late: ((total: number) => Error | undefined) | undefined
    const relay = new Relay(config({ budget: 1500 }), async (_cid, options) => {
      expect(options.exclude).toBe('tab')
      expect(options.admit!(1001)).toBeInstanceOf(RelayBusyError)
      expect(options.admit!(1000)).toBeUndefined()
      late = options.admit
      return new Uint8Array(1000)
    })
    expect(await relay.serve(asker, cid, async () => {})).toBe(true)
    expect(late?.(1)).toBeInstanceOf(RelayBusyError)
    expect(relay.inFlightBytes).toBe(0)
    expect(relay.stats()).toEqual({ relay: true, relayBudget: 1500, relayedBytes: 1000 })
    const second = new Relay(config({ budget: 500, maxRelayBytes: 10_000 }), async (_cid, options) => {
      expect(options.admit?.(501)).toBeInstanceOf(RelayBudgetError)
      throw new UnavailableError('nobody')
    })
    await expect(second.serve(asker, cid, async () => {})).rejects.toBeInstanceOf(UnavailableError)
    expect(second.inFlightBytes).toBe(0)
    expect(second.active).toBe(0)
  })

  it('bounds its queue, and does no work for an asker that left', async () => {
    const { cid } = await makeBlock(10, 4)
    const gates: Array<() => void> = []
    let fetches = 0
    const relay = new Relay(config({ maxWaiting: 1 }), async (_cid, options) => {
      fetches++
      await new Promise<void>(resolve => gates.push(resolve))
      options.signal?.throwIfAborted()
      return new Uint8Array(10)
    })
    const askers = [0, 1, 2, 3].map(n => ({ asker: { peerId: `tab${n}`, role: 'browser' } as unknown as Peer, left: new AbortController() }))
    const serve = async (n: number): Promise<boolean> => await relay.serve(askers[n]!.asker, cid, async () => {}, askers[n]!.left.signal)
    const running = serve(0)
    while (gates.length === 0) await new Promise(resolve => setTimeout(resolve, 1))
    // One waits; the queue is full, so the next is refused at once.
    const gone = serve(1)
    await expect(serve(2)).rejects.toBeInstanceOf(RelayBusyError)
    // The waiter's asker leaves: its wait ends, and it never fetches.
    askers[1]!.left.abort()
    await expect(gone).rejects.toBeInstanceOf(AbortError)
    const next = serve(3)
    gates.shift()!()
    expect(await running).toBe(true)
    while (gates.length === 0) await new Promise(resolve => setTimeout(resolve, 1))
    gates.shift()!()
    expect(await next).toBe(true)
    expect(fetches).toBe(2)
    expect(relay.active).toBe(0)
    expect(relay.inFlightBytes).toBe(0)
  })

  it('runs at most maxPerAsker relays for one asker; its others wait while other askers are served', async () => {
    const { cid } = await makeBlock(10, 7)
    const gates: Array<() => void> = []
    const relay = new Relay(config({ maxRelays: 4, maxPerAsker: 2 }), async () => {
      await new Promise<void>(resolve => gates.push(resolve))
      return new Uint8Array(10)
    })
    const greedy = { peerId: 'greedy', role: 'browser' } as unknown as Peer
    const mine = [1, 2, 3].map(async () => await relay.serve(greedy, cid, async () => {}))
    const other = relay.serve(asker, cid, async () => {})
    while (gates.length < 3) await new Promise(resolve => setTimeout(resolve, 1))
    await new Promise(resolve => setTimeout(resolve, 20))
    // Two of the greedy asker's and the other asker's run; its third waits though slots are free.
    expect(gates.length).toBe(3)
    expect(relay.active).toBe(3)
    gates.shift()!()
    while (gates.length < 3) await new Promise(resolve => setTimeout(resolve, 1))
    while (gates.length > 0) gates.shift()!()
    expect(await Promise.all([...mine, other])).toEqual([true, true, true, true])
    expect(relay.active).toBe(0)
  })

  it('closes an asker that stops reading after forwardTimeout, freeing its slot', async () => {
    const { cid } = await makeBlock(10, 5)
    const relay = new Relay(config({ forwardTimeout: 50 }), async () => new Uint8Array(10))
    const closed: string[] = []
    const stuck = { peerId: 'stuck', role: 'browser', lastSent: 0, close: (reason: string) => { closed.push(reason) } } as unknown as Peer
    // Its forward never completes: the tab stopped reading.
    const err = await relay.serve(stuck, cid, async () => await new Promise<void>(() => {})).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TimeoutError)
    expect(closed).toEqual(['did not take a relayed block in time'])
    expect(relay.active).toBe(0)
    // The slot is free: the next asker is served.
    expect(await relay.serve(asker, cid, async () => {})).toBe(true)
  })

  it('keeps an asker that keeps taking frames, however long its forward waits in line', async () => {
    const { cid } = await makeBlock(10, 10)
    const relay = new Relay(config({ forwardTimeout: 500 }), async () => new Uint8Array(10))
    const closed: string[] = []
    const slow = { peerId: 'slow', role: 'browser', lastSent: performance.now(), close: (reason: string) => { closed.push(reason) } }
    // The transport takes one of its frames every 50 ms (other sends ahead of this forward, then its
    // own parts): 1.5 s in all, three times the deadline, never 500 ms without progress.
    const forward = async (): Promise<void> => {
      for (let i = 0; i < 30; i++) {
        await new Promise(resolve => setTimeout(resolve, 50))
        slow.lastSent = performance.now()
      }
    }
    expect(await relay.serve(slow as unknown as Peer, cid, forward)).toBe(true)
    expect(closed).toEqual([])
    expect(relay.active).toBe(0)
  })

  it('counts a block taken in against the budget even when the asker never takes it', async () => {
    const { cid } = await makeBlock(10, 6)
    const relay = new Relay(config({ budget: 15 }), async (_cid, options) => {
      const refused = options.admit!(10)
      if (refused !== undefined) throw refused
      return new Uint8Array(10)
    })
    const gone = new ConnectionClosedError('the asker left')
    await expect(relay.serve(asker, cid, async () => { throw gone })).rejects.toBe(gone)
    expect(relay.stats()).toEqual({ relay: true, relayBudget: 15, relayedBytes: 10 })
    expect(relay.inFlightBytes).toBe(0)
    // 5 bytes left: another 10-byte block is refused on its first part.
    await expect(relay.serve(asker, cid, async () => {})).rejects.toBeInstanceOf(RelayBudgetError)
    expect(relay.inFlightBytes).toBe(0)
  })

  it('counts the bytes that arrived, reserving the announced size only while they arrive', async () => {
    const { cid } = await makeBlock(10, 9)
    const seen: Array<{ relayed: number, inFlight: number }> = []
    const now = (): void => { seen.push({ relayed: relay.stats().relayedBytes, inFlight: relay.inFlightBytes }) }
    let attempt = 0
    const relay: Relay = new Relay(config({ budget: 1000 }), async (_cid, options) => {
      if (++attempt === 1) {
        // A liar: announces 1000 bytes, sends 1, then dont-have.
        expect(options.admit!(1000)).toBeUndefined()
        options.taken!(1)
        now()
        // An honest source that stops answering half-way through its block.
        expect(options.admit!(900)).toBeUndefined()
        options.taken!(400)
        now()
        throw new UnavailableError('no source sent the whole block')
      }
      // 1000 - 401 bytes are left: a 600-byte block does not fit, 599 does.
      expect(options.admit!(600)).toBeInstanceOf(RelayBudgetError)
      expect(options.admit!(599)).toBeUndefined()
      options.taken!(599)
      return new Uint8Array(599)
    })
    await expect(relay.serve(asker, cid, async () => {})).rejects.toBeInstanceOf(UnavailableError)
    expect(seen).toEqual([{ relayed: 1, inFlight: 1000 }, { relayed: 401, inFlight: 900 }])
    expect(relay.stats().relayedBytes).toBe(401)
    expect(relay.inFlightBytes).toBe(0)
    expect(relay.reservedBytes).toBe(0)
    expect(await relay.serve(asker, cid, async () => {})).toBe(true)
    expect(relay.stats()).toEqual({ relay: true, relayBudget: 1000, relayedBytes: 1000 })
    expect(relay.inFlightBytes).toBe(0)
    expect(relay.reservedBytes).toBe(0)
    await expect(relay.serve(asker, cid, async () => {})).rejects.toBeInstanceOf(RelayBudgetError)
  })

  it('an asker leaving mid-block costs the bytes that arrived, and frees the rest of its reservation', async () => {
    const { cid } = await makeBlock(10, 11)
    const left = new AbortController()
    let late: ((bytes: number) => void) | undefined
    const relay: Relay = new Relay(config({ budget: 1000 }), async (_cid, options) => {
      late = options.taken
      expect(options.admit!(800)).toBeUndefined()
      options.taken!(300)
      expect(relay.reservedBytes).toBe(500)
      left.abort()
      options.signal!.throwIfAborted()
      throw new Error('unreachable: the signal aborted')
    })
    await expect(relay.serve(asker, cid, async () => {}, left.signal)).rejects.toBeInstanceOf(DOMException)
    expect(relay.stats().relayedBytes).toBe(300)
    expect(relay.inFlightBytes).toBe(0)
    expect(relay.reservedBytes).toBe(0)
    expect(relay.active).toBe(0)
    // A part reported after the attempt ended is not counted for it.
    late!(100)
    expect(relay.stats().relayedBytes).toBe(300)
    expect(relay.reservedBytes).toBe(0)
  })

  it('does nothing when off, or for a host', async () => {
    const { cid } = await makeBlock(10, 3)
    const fetch = async (): Promise<Uint8Array> => { throw new Error('must not fetch') }
    expect(await new Relay(config({ enabled: false }), fetch).serve(asker, cid, async () => {})).toBe(false)
    expect(await new Relay(config(), fetch).serve({ peerId: 'h', role: 'host' } as unknown as Peer, cid, async () => {})).toBe(false)
  })
})

describe('a relayed want that fails', () => {
  /** A --no-store host's request server whose relay's fetch fails with `err`; the messages its asker was sent. */
  async function ask (err: Error): Promise<{ handled: Promise<void>, sent: Message[] }> {
    const relay = new Relay({ enabled: true, maxRelays: 1, maxRelayBytes: 1000 }, async () => { throw err })
    const ctx = { role: 'host', store: undefined } as unknown as NodeContext
    const server = new RequestServer(ctx, {} as unknown as Replicator, relay, {} as unknown as Remover, async () => { throw new Error('no status') }, () => {})
    const sent: Message[] = []
    const peer = {
      peerId: 'tab', role: 'browser', serveSlots: new Semaphore(4), closedSignal: new AbortController().signal, close: () => {},
      conn: { maxFrameSize: 1 << 20 }, send: async (msg: Message) => { sent.push(msg) }
    } as unknown as Peer
    const { cid } = await makeBlock(10, 8)
    return { handled: server.handle(peer, { t: 'want', id: 3, cid, probe: false }), sent }
  }

  it('answers dont-have only when no peer has it or none answered in time', async () => {
    for (const err of [new UnavailableError('nobody'), new TimeoutError('slow')]) {
      const { handled, sent } = await ask(err)
      await handled
      expect(sent).toEqual([{ t: 'dont-have', id: 3 }])
    }
  })

  it('sends nothing more to an asker it closed for not taking a forward (not dont-have: the block was found)', async () => {
    const relay = new Relay({ enabled: true, maxRelays: 1, maxRelayBytes: 1000, forwardTimeout: 50 }, async () => new Uint8Array(10))
    const ctx = { role: 'host', store: undefined } as unknown as NodeContext
    const server = new RequestServer(ctx, {} as unknown as Replicator, relay, {} as unknown as Remover, async () => { throw new Error('no status') }, () => {})
    const sent: Message[] = []
    const peer = {
      peerId: 'tab', role: 'browser', serveSlots: new Semaphore(4), closedSignal: new AbortController().signal, lastSent: 0, isClosed: false,
      close () { this.isClosed = true },
      conn: { maxFrameSize: 1 << 20 },
      // The tab stopped reading: its block's part is never taken; anything else is recorded.
      send: async (msg: Message) => { if (msg.t === 'block') await new Promise<void>(() => {}); sent.push(msg) }
    }
    const { cid } = await makeBlock(10, 9)
    const handled = server.handle(peer as unknown as Peer, { t: 'want', id: 4, cid, probe: false })
    await expect(handled).rejects.toBeInstanceOf(TimeoutError)
    expect(peer.isClosed).toBe(true)
    expect(sent).toEqual([])
  })

  it('does not hide any other failure as dont-have', async () => {
    const bug = new Error('a bug in the fetch')
    const { handled, sent } = await ask(bug)
    await expect(handled).rejects.toBe(bug)
    expect(sent).toEqual([])
  })
})
