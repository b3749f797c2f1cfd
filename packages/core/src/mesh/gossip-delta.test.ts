import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Message, PeersMessage } from '../wire/messages.js'
import type { NodeContext } from './context.js'
import { MAX_PEERS } from '../wire/limits.js'
import { Gossip } from './gossip.js'
import { GossipSender } from './gossip-send.js'
import { generateIdentity } from './identity.js'
import { Peer } from './peer.js'
import { fullMesh, TestMesh, until, waitFor } from '../../test/support/mesh.js'
import type { TestNode } from '../../test/support/mesh.js'

/*
 * Incremental gossip (issue 15: a join made every host resend its whole list to
 * every peer, O(N³) bytes). The handshake carries the whole list; later changes
 * go out as deltas, with the same guarantees: every host learns of every live
 * host, and one that leaves is dropped from what the others know.
 */

let mesh: TestMesh | undefined
afterEach(async () => {
  vi.restoreAllMocks()
  await mesh?.stopAll()
  mesh = undefined
})

/** Entries (listed + gone) and whole lists in the `peers` messages sent after handshakes (Peer.send), from now on. */
function countGossip (): { entries: () => number, wholeLists: () => number } {
  let entries = 0
  let wholeLists = 0
  const send = Peer.prototype.send
  vi.spyOn(Peer.prototype, 'send').mockImplementation(async function (this: Peer, msg: Message) {
    if (msg.t === 'peers') {
      entries += msg.peers.length + (msg.gone?.length ?? 0)
      if (msg.delta !== true) wholeLists++
    }
    await send.call(this, msg)
  })
  return { entries: () => entries, wholeLists: () => wholeLists }
}

/** Resolve once `count()` has not changed for 100 ms: the last gossip batches went out and were counted. */
async function quiet (count: () => number): Promise<void> {
  let last = count()
  let since = performance.now()
  await waitFor(() => {
    const now = count()
    if (now !== last) {
      last = now
      since = performance.now()
    }
    return performance.now() - since >= 100
  })
}

const hostCount = (t: TestNode): number => t.node.peers().filter(p => p.role === 'host').length

describe('incremental gossip', () => {
  it('a host joining a mesh of N costs O(N²) gossip entries, not O(N³)', async () => {
    mesh = new TestMesh()
    const n = 12
    const hosts: TestNode[] = []
    for (let i = 0; i < n; i++) hosts.push(await mesh.host())
    await fullMesh(hosts)
    const counted = countGossip()
    const joiner = await mesh.host()
    await joiner.node.dial(hosts[0]!.address)
    const all = [...hosts, joiner]
    await until(all.map(h => h.node), ['peer:connect', 'peer:disconnect'], () => all.every(h => hostCount(h) === n))
    // Every host learned of the joiner, and the joiner of every host, by now; let the last batches go.
    await until(all.map(h => h.node), ['gossip'], () => all.every(h => h.node.knownPeers().length >= n - 1))
    await quiet(counted.entries)
    // Whole lists: each of n hosts sends its n-entry list to its n links, about n³
    // (over 1,700 entries here). Deltas: each host names the joiner once to each link
    // (n²), and the joiner names its new links to its links, batched (timing-dependent, about n² more).
    expect(counted.entries()).toBeLessThanOrEqual(4 * n * n)
    expect(counted.entries()).toBeGreaterThanOrEqual(n * n)
    // Whole lists after a handshake go only to a link that missed a batch: at most one
    // per end of each of the joiner's n links (timing-dependent, often 0-2), not one per link per batch.
    expect(counted.wholeLists()).toBeLessThanOrEqual(2 * n)
  })

  it('a host that leaves is dropped from what the others know; one that comes back is known again', async () => {
    mesh = new TestMesh()
    const hub = await mesh.host()
    const identity = await generateIdentity()
    const quiet = await mesh.host({ autoDial: false, identity })
    const tab = await mesh.add('browser')
    await tab.node.dial(hub.address)
    await quiet.node.dial(hub.address)
    const knows = (id: string): boolean => tab.node.knownPeers().some(p => p.peerId === id)
    await until([tab.node], ['gossip'], () => knows(quiet.node.peerId))
    await quiet.node.stop()
    await until([tab.node], ['gossip'], () => !knows(quiet.node.peerId))
    // The same host, restarted on a new address.
    const again = await mesh.host({ autoDial: false, identity })
    expect(again.node.peerId).toBe(quiet.node.peerId)
    await again.node.dial(hub.address)
    await until([tab.node], ['gossip'], () => knows(again.node.peerId))
    expect(tab.node.knownPeers().map(p => p.peerId).sort()).toEqual([again.node.peerId])
    expect(tab.node.knownPeers()[0]).toMatchObject({ role: 'host', addrs: [again.address] })
  })
})

describe('GossipSender', () => {
  /** A fake peer: what the sender reads, and what it posts. */
  function fakePeer (id: string): Peer & { got: PeersMessage[] } {
    const got: PeersMessage[] = []
    return { peerId: id, role: 'host', addrs: [`ws://127.0.0.1:1/${id}`], isClosed: false, conn: { maxFrameSize: 1 << 20 }, got, post: (msg: PeersMessage) => { got.push(msg) } } as unknown as Peer & { got: PeersMessage[] }
  }

  /** A sender whose node is linked to `linked` (closed ones aside). */
  function senderOver (gossipDelay: number): { linked: Array<Peer & { got: PeersMessage[] }>, ctx: NodeContext, sender: GossipSender } {
    const linked: Array<Peer & { got: PeersMessage[] }> = []
    const ctx = {
      peerId: 'self',
      tuning: { gossipDelay },
      peerList: () => linked.filter(p => !p.isClosed),
      peer: (id: string) => linked.find(p => p.peerId === id && !p.isClosed)
    } as unknown as NodeContext
    return { linked, ctx, sender: new GossipSender(ctx, () => true) }
  }

  it('sends deltas to links that are up to date, the whole list to one that missed a batch', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      const { linked, sender } = senderOver(10)
      const a = fakePeer('a')
      expect(sender.handshake(a.conn)).toEqual({ t: 'peers', peers: [] })
      linked.push(a)
      sender.changed(a)
      // b's handshake list is built now, but b is registered only after the batch goes out.
      const b = fakePeer('b')
      expect(sender.handshake(b.conn).peers.map(p => p.peerId)).toEqual(['a'])
      await vi.advanceTimersByTimeAsync(10)
      expect(a.got).toEqual([{ t: 'peers', peers: [{ peerId: 'a', role: 'host', addrs: ['ws://127.0.0.1:1/a'] }], delta: true }])
      linked.push(b)
      sender.changed(b)
      a.isClosed = true
      sender.changed(a)
      await vi.advanceTimersByTimeAsync(10)
      // b missed the first batch: it gets the whole list; nobody else is linked.
      expect(b.got).toEqual([{ t: 'peers', peers: [{ peerId: 'b', role: 'host', addrs: ['ws://127.0.0.1:1/b'] }] }])
      const c = fakePeer('c')
      sender.handshake(c.conn)
      linked.push(c)
      sender.changed(c)
      await vi.advanceTimersByTimeAsync(10)
      // Up to date now: b and c get the same delta.
      expect(b.got.at(-1)).toEqual({ t: 'peers', peers: [{ peerId: 'c', role: 'host', addrs: ['ws://127.0.0.1:1/c'] }], delta: true })
      expect(c.got).toEqual([b.got.at(-1)])
      c.isClosed = true
      sender.changed(c)
      await vi.advanceTimersByTimeAsync(10)
      expect(b.got.at(-1)).toEqual({ t: 'peers', peers: [], delta: true, gone: ['c'] })
      sender.stop()
    } finally {
      vi.useRealTimers()
    }
  })

  it('a receiver learns every host of a sender with more links than a list holds, whatever came first', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      const { linked, ctx, sender } = senderOver(10)
      const tab = (id: string): Peer & { got: PeersMessage[] } => Object.assign(fakePeer(id), { role: 'browser', addrs: [] })
      // The receiver, a host linked to the sender; it believes what the sender posts it.
      const receiver = new Gossip({ peerId: 'r', peer: () => undefined, peerList: () => [], dispatch: () => {}, failed: () => {}, tuning: { gossipDelay: 10 } } as unknown as NodeContext, { autoDial: false, dial: async () => { throw new Error('not dialed') } })
      const r = fakePeer('r')
      const self = { peerId: 'self', role: 'host' } as unknown as Peer
      const deliver = (): void => { for (const msg of r.got.splice(0)) receiver.receive(self, msg) }
      for (let i = 0; i < MAX_PEERS + 10; i++) linked.push(tab(`tab-${i}`))
      receiver.receive(self, sender.handshake(r.conn))
      linked.push(r)
      sender.changed(r)
      await vi.advanceTimersByTimeAsync(10)
      deliver()
      // Its list is full of tabs when a host links to the sender...
      const h = fakePeer('h')
      sender.handshake(h.conn)
      linked.push(h)
      sender.changed(h)
      await vi.advanceTimersByTimeAsync(10)
      deliver()
      // ...and stays known after 100 tabs leave, nothing else changing.
      for (let i = 0; i < 100; i++) {
        linked[i]!.isClosed = true
        sender.changed(linked[i]!)
      }
      await vi.advanceTimersByTimeAsync(60_000)
      deliver()
      const known = receiver.knownPeers().map(p => p.peerId)
      expect(known).toContain('h')
      expect(known).not.toContain('tab-0')
      // Below the cap again: every link is known, and deltas resume.
      expect(known.sort()).toEqual(ctx.peerList().map(p => p.peerId).filter(id => id !== 'r').sort())
      linked.push(tab('late'))
      sender.changed(linked.at(-1)!)
      await vi.advanceTimersByTimeAsync(10)
      expect(r.got).toEqual([{ t: 'peers', peers: [{ peerId: 'late', role: 'browser', addrs: [] }], delta: true }])
      deliver()
      expect(receiver.knownPeers().map(p => p.peerId)).toContain('late')
      sender.stop()
    } finally {
      vi.useRealTimers()
    }
  })

  it('churn faster than the batch delay still sends a batch every second, and too many changes go as the whole list', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    try {
      const { linked, sender } = senderOver(50)
      const a = fakePeer('a')
      sender.handshake(a.conn)
      linked.push(a)
      // A tab linking and leaving every 40 ms, for 3 s.
      const churn = Object.assign(fakePeer('churn'), { role: 'browser', addrs: [], isClosed: true })
      for (let t = 0; t < 3_000; t += 40) {
        churn.isClosed = !churn.isClosed
        if (!churn.isClosed) linked.push(churn)
        else linked.splice(linked.indexOf(churn), 1)
        sender.changed(churn)
        await vi.advanceTimersByTimeAsync(40)
      }
      expect(a.got.length).toBeGreaterThanOrEqual(2)
      expect(a.got.length).toBeLessThanOrEqual(4)
      await vi.advanceTimersByTimeAsync(1_000)
      a.got.length = 0
      // More changes in one batch than a list holds (tabs that came and went): the whole list, not a delta of each.
      for (let i = 0; i < MAX_PEERS + 1; i++) {
        const t = Object.assign(fakePeer(`tab-${i}`), { role: 'browser', addrs: [] })
        linked.push(t)
        sender.changed(t)
        t.isClosed = true
        sender.changed(t)
      }
      await vi.advanceTimersByTimeAsync(50)
      expect(a.got).toEqual([sender.whole(1 << 20)])
      expect(a.got[0]!.peers.map(p => p.peerId)).toContain('a')
      sender.stop()
    } finally {
      vi.useRealTimers()
    }
  })

  it('a connection that replaces one after a batch went out on it gets the whole list, in a quiet mesh too', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      const { linked, sender } = senderOver(10)
      const p1 = fakePeer('p')
      const q = fakePeer('q')
      sender.handshake(p1.conn)
      sender.handshake(q.conn)
      linked.push(p1, q)
      sender.changed(p1)
      sender.changed(q)
      await vi.advanceTimersByTimeAsync(10)
      // A second connection to p: its handshake list, built now, names q.
      const p2 = fakePeer('p')
      expect(sender.handshake(p2.conn).peers.map(p => p.peerId)).toEqual(['p', 'q'])
      // q goes; the batch saying so goes out on p1 only.
      q.isClosed = true
      sender.changed(q)
      await vi.advanceTimersByTimeAsync(10)
      expect(p1.got.at(-1)).toEqual({ t: 'peers', peers: [], delta: true, gone: ['q'] })
      // p2 replaces p1 with the same hello; nothing else changes, ever.
      p1.isClosed = true
      linked.push(p2)
      sender.replaced(p1, p2)
      await vi.advanceTimersByTimeAsync(60_000)
      expect(p2.got).toEqual([{ t: 'peers', peers: [{ peerId: 'p', role: 'host', addrs: ['ws://127.0.0.1:1/p'] }] }])
      // A replacement that is up to date costs nothing.
      const p3 = fakePeer('p')
      sender.handshake(p3.conn)
      p2.isClosed = true
      linked.push(p3)
      sender.replaced(p2, p3)
      await vi.advanceTimersByTimeAsync(60_000)
      expect(p3.got).toEqual([])
      sender.stop()
    } finally {
      vi.useRealTimers()
    }
  })
})
