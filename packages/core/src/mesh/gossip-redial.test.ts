import { afterEach, describe, expect, it } from 'vitest'
import { UnavailableError } from '../errors.js'
import type { Connection, Transport } from '../transport/connection.js'
import { TestMesh, until, waitFor } from '../../test/support/mesh.js'
import type { TestNode } from '../../test/support/mesh.js'

/*
 * Liveness of the full mesh (issue 15: in a 100-host run one pair of hosts never
 * linked). Two hosts that hear of each other only through a third must end up
 * linked whatever happened to their first dials or to their link, with no
 * further gossip: once a mesh has settled, nothing else would make them dial.
 */

let mesh: TestMesh
afterEach(async () => { await mesh.stopAll() })

/** A memory transport that refuses dials to `blocked` addresses and keeps the connections it opened. */
class GatedTransport implements Transport {
  readonly name: string
  readonly blocked = new Set<string>()
  /** Times of refused dials. */
  readonly refused: number[] = []
  readonly opened: Array<{ address: string, conn: Connection }> = []
  constructor (private readonly inner: Transport) {
    this.name = inner.name
  }

  canDial (address: string): boolean {
    return this.inner.canDial(address)
  }

  async dial (address: string, options?: { signal?: AbortSignal }): Promise<Connection> {
    if (this.blocked.has(address)) {
      this.refused.push(performance.now())
      throw new UnavailableError(`${address} is out of reach (test)`)
    }
    const conn = await this.inner.dial(address, options)
    this.opened.push({ address, conn })
    return conn
  }
}

async function gatedHost (name: string): Promise<TestNode & { gate: GatedTransport }> {
  const gate = new GatedTransport(mesh.net.transport({ localAddress: `memory://${name}` }))
  return { ...await mesh.host({ transports: [gate] }), gate }
}

const linked = (x: TestNode, y: TestNode): boolean =>
  x.node.peers().some(p => p.peerId === y.node.peerId) && y.node.peers().some(p => p.peerId === x.node.peerId)

describe('gossip redial', () => {
  it('keeps redialing a host it heard of once, with backoff, and links when it becomes reachable', async () => {
    mesh = new TestMesh()
    const hub = await mesh.host()
    const a = await gatedHost('gated-a')
    const b = await gatedHost('gated-b')
    a.gate.blocked.add(b.address)
    b.gate.blocked.add(a.address)
    await a.node.dial(hub.address)
    await b.node.dial(hub.address)
    // The hub's gossip names each to the other once; nothing changes on the hub after
    // that, so only a timed redial can try again. Three refusals each: two retries.
    await waitFor(() => a.gate.refused.length >= 3 && b.gate.refused.length >= 3, 10_000)
    // Backed off, not a tight loop: 250 ms then 500 ms (plus jitter) between attempts.
    const gaps = a.gate.refused.slice(1, 3).map((t, i) => t - a.gate.refused[i]!)
    expect(gaps[0]).toBeGreaterThanOrEqual(200)
    expect(gaps[1]).toBeGreaterThanOrEqual(450)
    a.gate.blocked.clear()
    b.gate.blocked.clear()
    await until([a.node, b.node], ['peer:connect', 'peer:disconnect'], () => linked(a, b), 10_000)
    expect(a.node.peers().filter(p => p.peerId === b.node.peerId)).toHaveLength(1)
  })

  it('relinks two hosts whose connection dropped while both stay linked to others', async () => {
    mesh = new TestMesh()
    const hub = await mesh.host()
    const a = await gatedHost('gated-a')
    const b = await gatedHost('gated-b')
    await a.node.dial(hub.address)
    await b.node.dial(hub.address)
    await until([a.node, b.node], ['peer:connect', 'peer:disconnect'], () => linked(a, b))
    // Drop the a–b link (as a ping timeout under load would); the hub's links do not change.
    const lost = new Promise<void>(resolve => {
      const onDisconnect = (e: Event): void => {
        if ((e as CustomEvent<{ peerId: string }>).detail.peerId !== b.node.peerId) return
        a.node.removeEventListener('peer:disconnect', onDisconnect)
        resolve()
      }
      a.node.addEventListener('peer:disconnect', onDisconnect)
    })
    const between = [...a.gate.opened.filter(o => o.address === b.address), ...b.gate.opened.filter(o => o.address === a.address)]
    expect(between.length).toBeGreaterThan(0)
    for (const { conn } of between) conn.close('dropped (test)')
    await lost
    await until([a.node, b.node], ['peer:connect', 'peer:disconnect'], () => linked(a, b), 10_000)
    expect(a.node.peers().map(p => p.peerId).sort()).toEqual([hub.node.peerId, b.node.peerId].sort())
  })
})
