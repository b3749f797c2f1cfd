import { afterEach, describe, expect, it } from 'vitest'
import type { Connection, Transport } from '../transport/connection.js'
import { TestMesh, until, waitFor } from '../../test/support/mesh.js'
import type { TestNode } from '../../test/support/mesh.js'

/*
 * Two connections between the same two hosts (each dialed the other, or one
 * redialed): both sides must keep the same one (issue 15, the pair that never
 * linked). Checked on the connections themselves, not only on `peers()`.
 */

let mesh: TestMesh
afterEach(async () => { await mesh.stopAll() })

/**
 * Wraps a connection: from its `delayFrom`-th frame on, sends (and then the close) reach
 * the other end `delay` ms late, in order; with `delay` Infinity they never do (a dead path).
 */
class LaggyConnection implements Connection {
  private sent = 0
  private tail: Promise<void> = Promise.resolve()
  constructor (private readonly inner: Connection, private readonly delayFrom: number, private readonly delay: number) {}
  get maxFrameSize (): number { return this.inner.maxFrameSize }
  get remoteAddress (): string { return this.inner.remoteAddress }
  get transport (): string { return this.inner.transport }
  get closed (): Promise<void> { return this.inner.closed }
  get stats (): Connection['stats'] { return this.inner.stats }
  authenticated (): void { this.inner.authenticated?.() }
  [Symbol.asyncIterator] (): AsyncIterator<Uint8Array> { return this.inner[Symbol.asyncIterator]() }

  async send (frame: Uint8Array): Promise<void> {
    if (++this.sent < this.delayFrom) { await this.inner.send(frame); return }
    if (this.delay === Infinity) return
    // Taken at once (the sender goes on), delivered late: lag on the path or at the receiver.
    this.tail = this.tail.then(async () => {
      await new Promise(resolve => setTimeout(resolve, this.delay))
      await this.inner.send(frame)
    }).catch(() => {})
  }

  close (reason?: string): void {
    if (this.delay === Infinity) this.inner.close(reason)
    else void this.tail.then(() => { this.inner.close(reason) })
  }
}

/** A memory transport that records the connections it opens (and can make them laggy). */
class RecordingTransport implements Transport {
  readonly name: string
  readonly opened: Connection[] = []
  lag: { from: number, delay: number } | undefined
  constructor (private readonly inner: Transport) { this.name = inner.name }
  canDial (address: string): boolean { return this.inner.canDial(address) }
  async dial (address: string, options?: { signal?: AbortSignal }): Promise<Connection> {
    const raw = await this.inner.dial(address, options)
    const conn = this.lag === undefined ? raw : new LaggyConnection(raw, this.lag.from, this.lag.delay)
    this.opened.push(conn)
    return conn
  }
}

async function recordedHost (name: string, options: { handshakeTimeout?: number, pingTimeout?: number } = {}): Promise<TestNode & { transport: RecordingTransport }> {
  const transport = new RecordingTransport(mesh.net.transport({ localAddress: `memory://${name}` }))
  return { ...await mesh.host({ transports: [transport], ...options }), transport }
}

/** How many of `conns` (one end of each connection) are not closed. */
async function openCount (conns: Connection[]): Promise<number> {
  const states = await Promise.all(conns.map(async c => await Promise.race([c.closed.then(() => false), new Promise<boolean>(resolve => setTimeout(() => resolve(true), 0))])))
  return states.filter(Boolean).length
}

const linked = (x: TestNode, y: TestNode): boolean =>
  x.node.peers().some(p => p.peerId === y.node.peerId) && y.node.peers().some(p => p.peerId === x.node.peerId)

describe('simultaneous dials', () => {
  it('two hosts dialing each other at the same instant, again and again, keep exactly one live connection', async () => {
    mesh = new TestMesh()
    const a = await recordedHost('rec-a')
    const b = await recordedHost('rec-b')
    for (let round = 0; round < 10; round++) {
      await Promise.allSettled([a.node.dial(b.address), b.node.dial(a.address)])
      const all = [...a.transport.opened, ...b.transport.opened]
      await waitFor(async () => linked(a, b) && await openCount(all) === 1)
      expect(await openCount(all)).toBe(1)
      expect((await a.node.requestStatus(b.node.peerId)).peerId).toBe(b.node.peerId)
      expect((await b.node.requestStatus(a.node.peerId)).peerId).toBe(a.node.peerId)
    }
  })

  it('keeps a link when the two sides see a second connection more and less than the handshake timeout after the first', async () => {
    // The age rule of dedupe.ts reads each side's clock: here one side registers the
    // second connection 2 s after the first (within the 4 s window, so it keeps the
    // first, dialed by the lower id), the other 5 s after (beyond it). Before the fix
    // that side dropped the first connection while the other dropped the second: no link.
    mesh = new TestMesh()
    const window = 4_000
    const x = await recordedHost('rec-x', { handshakeTimeout: window })
    const y = await recordedHost('rec-y', { handshakeTimeout: window })
    const [lo, hi] = x.node.peerId < y.node.peerId ? [x, y] : [y, x]
    await lo.node.dial(hi.address)
    await until([lo.node, hi.node], ['peer:connect'], () => linked(lo, hi))
    await new Promise(resolve => setTimeout(resolve, 2_000))
    // hi dials again (a remembered --peer address); its third frame (`peers`) and its
    // close reach lo 3 s late, so lo registers the second connection at 5 s.
    hi.transport.lag = { from: 3, delay: 3_000 }
    await hi.node.dial(lo.address)
    const all = [...lo.transport.opened, ...hi.transport.opened]
    expect(all).toHaveLength(2)
    await waitFor(async () => linked(lo, hi) && await openCount(all) === 1, 15_000)
    // Both ends have acted on the late connection by now; the link must stay.
    await new Promise(resolve => setTimeout(resolve, 500))
    expect(linked(lo, hi)).toBe(true)
    expect(await openCount(all)).toBe(1)
    expect((await lo.node.requestStatus(hi.node.peerId)).peerId).toBe(hi.node.peerId)
    expect((await hi.node.requestStatus(lo.node.peerId)).peerId).toBe(lo.node.peerId)
  }, 30_000)

  it('still lets a new connection replace an old one that no longer answers', async () => {
    mesh = new TestMesh()
    const x = await recordedHost('rec-x', { handshakeTimeout: 500, pingTimeout: 500 })
    const y = await recordedHost('rec-y', { handshakeTimeout: 500, pingTimeout: 500 })
    const [lo, hi] = x.node.peerId < y.node.peerId ? [x, y] : [y, x]
    // After the handshake (3 frames), nothing lo sends on the first connection arrives: it is dead one way.
    lo.transport.lag = { from: 4, delay: Infinity }
    await lo.node.dial(hi.address)
    lo.transport.lag = undefined
    await until([lo.node, hi.node], ['peer:connect'], () => linked(lo, hi))
    await new Promise(resolve => setTimeout(resolve, 700))
    // hi dials again (as after a restart): the old connection, though preferred, fails its ping on both sides.
    await hi.node.dial(lo.address)
    const [first, second] = [lo.transport.opened[0]!, hi.transport.opened[0]!]
    await waitFor(async () => linked(lo, hi) && await openCount([first]) === 0, 10_000)
    expect(await openCount([second])).toBe(1)
    expect((await lo.node.requestStatus(hi.node.peerId)).peerId).toBe(hi.node.peerId)
    expect((await hi.node.requestStatus(lo.node.peerId)).peerId).toBe(lo.node.peerId)
  })
})
