import { describe, expect, it, vi } from 'vitest'
import type { PeersMessage } from '../wire/messages.js'
import type { NodeContext } from './context.js'
import { MAX_PEERS } from '../wire/limits.js'
import { Gossip } from './gossip.js'
import type { Peer } from './peer.js'

/**
 * Just what Gossip reads of its node: no peers connected, events dropped. Its id
 * sorts below every host named here, so it dials them at once (a host gives a
 * lower id a head start instead).
 */
function fakeContext (): NodeContext {
  return {
    peerId: '0-self',
    peer: () => undefined,
    peerList: () => [],
    dispatch: () => {},
    tuning: { gossipDelay: 0 }
  } as unknown as NodeContext
}

describe('gossip dial backoff', () => {
  it('stays bounded however many unreachable hosts gossip names', async () => {
    let dials = 0
    let failed = 0
    const gossip = new Gossip(fakeContext(), {
      autoDial: true,
      dial: async () => {
        dials++
        failed++
        throw new Error('unreachable')
      }
    })
    const introducer = { peerId: 'introducer', role: 'host' } as unknown as Peer
    const named = 8 * 256
    for (let batch = 0; batch < 8; batch++) {
      const msg: PeersMessage = { t: 'peers', peers: [] }
      for (let i = 0; i < 256; i++) {
        msg.peers.push({ peerId: `fake-${batch}-${i}`, role: 'host', addrs: [`ws://127.0.0.1:${i + 1}/mesh`] })
      }
      gossip.receive(introducer, msg)
    }
    // Every dial has failed; their handlers record backoff within a turn of the event loop.
    expect(dials).toBe(named)
    expect(failed).toBe(named)
    await new Promise(resolve => setTimeout(resolve, 0))
    await new Promise(resolve => setTimeout(resolve, 0))
    // Unbounded, this would hold all 2048; bounded, it keeps only the hosts listed now
    // (each whole list replaces the one before): at most MAX_PEERS per connected host.
    expect(gossip.backoffSize).toBe(MAX_PEERS)
    gossip.stop()
  })

  it('keeps backing off past 1,024 unreachable hosts listed (5 hosts × 256)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    try {
      let dials = 0
      const gossip = new Gossip(fakeContext(), {
        autoDial: true,
        dial: async () => {
          dials++
          throw new Error('unreachable')
        }
      })
      const listed = 5 * 256
      for (let h = 0; h < 5; h++) {
        const msg: PeersMessage = { t: 'peers', peers: [] }
        for (let i = 0; i < 256; i++) msg.peers.push({ peerId: `fake-${h}-${i}`, role: 'host', addrs: [`ws://127.0.0.1:${h * 256 + i + 1}/mesh`] })
        gossip.receive({ peerId: `introducer-${h}`, role: 'host' } as unknown as Peer, msg)
      }
      expect(dials).toBe(listed)
      // Each has backed off to 60 s by the 5th minute: from then on, one dial per host a minute.
      await vi.advanceTimersByTimeAsync(5 * 60_000)
      const before = dials
      await vi.advanceTimersByTimeAsync(2 * 60_000)
      expect(dials - before).toBeGreaterThanOrEqual(listed)
      expect(dials - before).toBeLessThanOrEqual(3 * listed)
      gossip.stop()
    } finally {
      vi.useRealTimers()
    }
  })

  it('redials a host not linked on a timer, at most 60 s apart, while a connected host lists it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    try {
      const dials: number[] = []
      const gossip = new Gossip(fakeContext(), {
        autoDial: true,
        dial: async () => {
          dials.push(Date.now())
          throw new Error('unreachable')
        }
      })
      const introducer = { peerId: 'introducer', role: 'host' } as unknown as Peer
      gossip.receive(introducer, { t: 'peers', peers: [{ peerId: 'far', role: 'host', addrs: ['ws://127.0.0.1:9/mesh'] }] })
      await vi.advanceTimersByTimeAsync(10 * 60_000)
      // One dial from the message, then timed redials with doubling delays up to the cap.
      expect(dials.length).toBeGreaterThan(12)
      const gaps = dials.slice(1).map((t, i) => t - dials[i]!)
      expect(Math.max(...gaps)).toBeLessThanOrEqual(60_000 + 250)
      expect(gaps.at(-1)).toBeGreaterThanOrEqual(60_000)
      // The only host that listed it is gone: no more dials.
      gossip.forget('introducer')
      const before = dials.length
      await vi.advanceTimersByTimeAsync(10 * 60_000)
      expect(dials).toHaveLength(before)
      gossip.stop()
    } finally {
      vi.useRealTimers()
    }
  })

  it('dials a higher id at once and gives a lower id a head start to dial first', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    try {
      const dialed: string[] = []
      const linked = new Set<string>()
      const ctx = { ...fakeContext(), peerId: 'm-self', peer: (id: string) => linked.has(id) ? {} : undefined } as unknown as NodeContext
      const gossip = new Gossip(ctx, {
        autoDial: true,
        dial: async (addrs) => {
          const id = byAddr.get(addrs[0]!)!
          dialed.push(id)
          linked.add(id)
          return id
        }
      })
      const byAddr = new Map<string, string>()
      const host = (peerId: string): PeersMessage['peers'][number] => {
        const addr = `ws://127.0.0.1:${byAddr.size + 1}/mesh`
        byAddr.set(addr, peerId)
        return { peerId, role: 'host', addrs: [addr] }
      }
      gossip.receive({ peerId: 'introducer', role: 'host' } as unknown as Peer, { t: 'peers', peers: [host('a-lower'), host('b-lower'), host('z-higher')] })
      expect(dialed).toEqual(['z-higher'])
      // b-lower dials us meanwhile; a-lower does not.
      linked.add('b-lower')
      await vi.advanceTimersByTimeAsync(1_900)
      expect(dialed).toEqual(['z-higher'])
      await vi.advanceTimersByTimeAsync(400)
      expect(dialed).toEqual(['z-higher', 'a-lower'])
      gossip.stop()
    } finally {
      vi.useRealTimers()
    }
  })

  it('a host due sooner is not kept waiting behind a long backoff of another', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    try {
      const dials: Array<{ addr: string, at: number }> = []
      const ctx = { ...fakeContext(), peerId: 'm-self' } as unknown as NodeContext
      const gossip = new Gossip(ctx, {
        autoDial: true,
        dial: async (addrs) => {
          dials.push({ addr: addrs[0]!, at: Date.now() })
          // a-lower's dial stays pending: a failure would be redialed 250 ms (plus jitter)
          // later, sometimes within the window below (a flake of about 1 in 50).
          if (addrs[0] === 'ws://127.0.0.1:2/mesh') await new Promise(() => {})
          throw new Error('unreachable')
        }
      })
      const introducer = { peerId: 'introducer', role: 'host' } as unknown as Peer
      gossip.receive(introducer, { t: 'peers', peers: [{ peerId: 'z-far', role: 'host', addrs: ['ws://127.0.0.1:1/mesh'] }] })
      await vi.advanceTimersByTimeAsync(5 * 60_000) // z-far is at its 60 s backoff now
      const start = Date.now()
      gossip.receive(introducer, { t: 'peers', delta: true, peers: [{ peerId: 'a-lower', role: 'host', addrs: ['ws://127.0.0.1:2/mesh'] }] })
      await vi.advanceTimersByTimeAsync(2_300)
      // Its head start over, a-lower is dialed, not after z-far's next redial.
      expect(dials.filter(d => d.addr === 'ws://127.0.0.1:2/mesh').map(d => d.at - start)).toEqual([expect.any(Number)])
      expect(dials.find(d => d.addr === 'ws://127.0.0.1:2/mesh')!.at - start).toBeGreaterThanOrEqual(2_000)
      gossip.stop()
    } finally {
      vi.useRealTimers()
    }
  })

  it('a host named again while its dial is pending is not lost when that dial fails', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    try {
      const pending: Array<(err: Error) => void> = []
      const gossip = new Gossip(fakeContext(), {
        autoDial: true,
        dial: async () => await new Promise<string>((_resolve, reject) => { pending.push(reject) })
      })
      const introducer = { peerId: 'introducer', role: 'host' } as unknown as Peer
      const named: PeersMessage = { t: 'peers', peers: [{ peerId: 'slow', role: 'host', addrs: ['ws://127.0.0.1:1/mesh'] }] }
      gossip.receive(introducer, named)
      gossip.receive(introducer, named) // while the first dial is pending: no second dial
      expect(pending).toHaveLength(1)
      pending[0]!(new Error('handshake timed out'))
      await vi.advanceTimersByTimeAsync(250 + 250)
      // No gossip came since; the timed redial tried again.
      expect(pending).toHaveLength(2)
      gossip.stop()
    } finally {
      vi.useRealTimers()
    }
  })
})
