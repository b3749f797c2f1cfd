import { afterEach, describe, expect, it } from 'vitest'
import { fullMesh, nextEvent, rawConnect, TestMesh, until } from '../../test/support/mesh.js'
import type { TestNode } from '../../test/support/mesh.js'

let mesh: TestMesh
afterEach(async () => { await mesh.stopAll() })

describe('gossip', () => {
  it('forms a full mesh of 4 hosts that each dialed only the first', async () => {
    mesh = new TestMesh()
    const hosts: TestNode[] = []
    for (let i = 0; i < 4; i++) hosts.push(await mesh.host())
    await fullMesh(hosts)
    for (const h of hosts) {
      const others = hosts.filter(o => o !== h).map(o => o.node.peerId).sort()
      expect(h.node.peers().map(p => p.peerId).sort()).toEqual(others)
    }
  })

  it('does not dial when autoDial is off, and tells tabs about each other', async () => {
    mesh = new TestMesh()
    const host = await mesh.host()
    const other = await mesh.host({ autoDial: false })
    const tab1 = await mesh.add('browser')
    const tab2 = await mesh.add('browser')
    await other.node.dial(host.address)
    await tab1.node.dial(host.address)
    await tab2.node.dial(host.address)
    await until([tab2.node], ['gossip'], () => tab2.node.knownPeers().some(p => p.peerId === tab1.node.peerId))
    const known = tab2.node.knownPeers()
    expect(known).toContainEqual({ peerId: tab1.node.peerId, role: 'browser', addrs: [] })
    expect(known).toContainEqual({ peerId: other.node.peerId, role: 'host', addrs: [other.address] })
    expect(tab2.node.peers().map(p => p.peerId)).toEqual([host.node.peerId])
  })

  it('passes on only the addresses its own transports would dial (a TLS host gossips no plain ws:// to other machines)', async () => {
    mesh = new TestMesh()
    const strict = mesh.net.transport({ localAddress: 'memory://strict' })
    const canDial = strict.canDial.bind(strict)
    strict.canDial = (address: string) => canDial(address) && !address.includes('plain')
    const host = await mesh.host({ transports: [strict] })
    // A host that advertises two addresses, one of which `host` refuses to dial.
    const advertised = await mesh.host({ autoDial: false, listenAddrs: ['memory://plain-b', 'memory://secure-b'] })
    const tab = await mesh.add('browser')
    await advertised.node.dial(host.address)
    await tab.node.dial(host.address)
    await until([tab.node], ['gossip'], () => tab.node.knownPeers().some(p => p.peerId === advertised.node.peerId))
    expect(tab.node.knownPeers()).toContainEqual({ peerId: advertised.node.peerId, role: 'host', addrs: ['memory://secure-b'] })
  })

  it('relays signals between tabs through a host, with the real sender as from', async () => {
    mesh = new TestMesh()
    const host = await mesh.host()
    const tab1 = await mesh.add('browser')
    const tab2 = await mesh.add('browser')
    await tab1.node.dial(host.address)
    await tab2.node.dial(host.address)
    await until([tab1.node], ['gossip'], () => tab1.node.knownPeers().some(p => p.peerId === tab2.node.peerId))

    const received = nextEvent<{ from: string, data: Uint8Array }>(tab2.node, 'signal')
    await tab1.node.signal(tab2.node.peerId, new Uint8Array([1, 2, 3]))
    expect(await received).toEqual({ from: tab1.node.peerId, data: new Uint8Array([1, 2, 3]) })

    // A forged `from` is replaced by the authenticated sender.
    const forger = await rawConnect(mesh, host.address, { role: 'browser' })
    const forged = nextEvent<{ from: string, data: Uint8Array }>(tab2.node, 'signal')
    await forger.send({ t: 'signal', to: tab2.node.peerId, from: tab1.node.peerId, data: new Uint8Array([9]) })
    expect(await forged).toEqual({ from: forger.identity.peerId, data: new Uint8Array([9]) })
  })

  it('reports peers and status, locally and from a remote host', async () => {
    mesh = new TestMesh()
    const a = await mesh.host()
    const b = await mesh.host()
    await fullMesh([a, b])
    const client = await mesh.add('client')
    await client.node.dial(a.address)
    const status = await client.node.requestStatus(a.node.peerId)
    expect(status).toMatchObject({ peerId: a.node.peerId, blocks: 0, bytes: 0, underReplicated: 0 })
    expect(status.peers.map(p => p.peerId).sort()).toEqual([b.node.peerId, client.node.peerId].sort())
    expect(status.peers.find(p => p.peerId === client.node.peerId)?.bytesReceived).toBeGreaterThan(0)
  })
})

describe('gossip limits', () => {
  it('trims the peer list to what fits in one frame', async () => {
    const { GossipSender } = await import('./gossip-send.js')
    const { DEFAULT_TUNING } = await import('./tuning.js')
    const { encodeMessage } = await import('../wire/codec.js')
    const peers = Array.from({ length: 200 }, (_, i) => ({
      peerId: `bpeer${i}`, role: 'host', addrs: Array.from({ length: 8 }, (_, j) => `ws://host-${i}-${j}.example:4001/mesh`), isClosed: false
    }))
    const ctx = { peerId: 'bself', role: 'host', tuning: DEFAULT_TUNING, peerList: () => peers, peer: () => undefined, dispatch: () => {} }
    const gossip = new GossipSender(ctx as never, () => true)
    const small = gossip.whole(16 * 1024)
    expect(small.peers.length).toBeGreaterThan(10)
    expect(small.peers.length).toBeLessThan(200)
    expect(encodeMessage(small).length).toBeLessThanOrEqual(16 * 1024)
    expect(gossip.whole(1 << 20).peers).toHaveLength(200)
  })

  it('closes a connection whose peer stops answering pings', async () => {
    mesh = new TestMesh()
    const host = await mesh.host({ pingInterval: 10, pingTimeout: 10 })
    const gone = nextEvent(host.node, 'peer:disconnect')
    const raw = await rawConnect(mesh, host.address)
    expect(await raw.nextMatching(m => m.t === 'ping')).toMatchObject({ t: 'ping' })
    await gone
    await raw.conn.closed
  })
})
