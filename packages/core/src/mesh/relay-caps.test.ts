/** The host relay's caps, queue, budget and forward deadline, on `Relay` alone (a fake fetch; no mesh). */
import { describe, expect, it } from 'vitest'
import { AbortError, ConnectionClosedError, RelayBudgetError, RelayBusyError, TimeoutError, UnavailableError } from '../errors.js'
import { makeBlock } from '../../test/support/mesh.js'
import type { Peer } from './peer.js'
import { Relay } from './relay.js'
import type { RelayConfig } from './relay.js'

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
