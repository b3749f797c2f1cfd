import { afterEach, describe, expect, it } from 'vitest'
import type { BackgroundFailure } from './failures.js'
import { HOST_KEY, rawConnect, TestMesh, until } from '../../test/support/mesh.js'

let mesh: TestMesh
afterEach(async () => { await mesh.stopAll() })

/** What a hostile host might advertise or gossip: none of it is a `ws(s)://H:P/mesh` address. */
const HOSTILE = [
  'ws://127.0.0.1:9/internal-admin/0?delete=all',
  'ws://127.0.0.1:9/mesh?delete=all',
  'ws://admin:secret@127.0.0.1:9/mesh',
  'ws://127.0.0.1:9/mesh#x',
  'ws://127.0.0.1:9/',
  'http://127.0.0.1:9/mesh',
  'javascript:alert(1)',
  'not-a-url'
]

describe('gossip addresses', () => {
  it('a host dials only ws(s)://H:P/mesh addresses from gossip; the rest are counted and reported, never dialed', async () => {
    mesh = new TestMesh()
    const dialed: string[] = []
    const transport = mesh.net.transport({ localAddress: 'memory://recording' })
    const dial = transport.dial.bind(transport)
    transport.canDial = () => true
    transport.dial = async (address, options) => { dialed.push(address); return await dial(address, options) }
    const host = await mesh.host({ transports: [transport] })
    const failures: BackgroundFailure[] = []
    host.node.addEventListener('background:failure', e => { failures.push((e as CustomEvent<BackgroundFailure>).detail) })
    const target = await mesh.host({ autoDial: false })

    const introducer = await rawConnect(mesh, host.address, { role: 'host', hostKey: HOST_KEY })
    await introducer.send({
      t: 'peers',
      peers: [
        { peerId: 'bfakehost', role: 'host', addrs: HOSTILE.slice(0, 4) },
        { peerId: target.node.peerId, role: 'host', addrs: [...HOSTILE.slice(4), target.address] }
      ]
    })
    await until([host.node], ['peer:connect'], () => host.node.peers().some(p => p.peerId === target.node.peerId))
    expect(dialed).toEqual([target.address])
    expect((await host.node.status()).backgroundFailures?.address).toBe(HOSTILE.length)
    expect(failures.map(f => f.code)).toEqual(HOSTILE.map(() => 'ERR_INVALID_ADDRESS'))
    expect(failures[0]!.message).toMatch(/internal-admin.*has a query \(gossip from/)
  })

  it('a host keeps, and passes on, only the dialable addresses of another host\'s own hello', async () => {
    mesh = new TestMesh()
    const host = await mesh.host({ autoDial: false })
    const other = await rawConnect(mesh, host.address, { role: 'host', hostKey: HOST_KEY, addrs: [HOSTILE[0]!, 'memory://other-host'] })
    await until([host.node], ['peer:connect'], () => host.node.peers().length === 1)
    expect(host.node.peers()[0]!.addrs).toEqual(['memory://other-host'])
    expect((await host.node.status()).backgroundFailures?.address).toBe(1)
    const tab = await mesh.add('browser')
    await tab.node.dial(host.address)
    await until([tab.node], ['gossip'], () => tab.node.knownPeers().some(p => p.peerId === other.identity.peerId))
    expect(tab.node.knownPeers()).toContainEqual({ peerId: other.identity.peerId, role: 'host', addrs: ['memory://other-host'] })
  })

  it('gossip from a member is not believed (it cannot pose as a host)', async () => {
    mesh = new TestMesh()
    const dialed: string[] = []
    const transport = mesh.net.transport({ localAddress: 'memory://recording2' })
    const dial = transport.dial.bind(transport)
    transport.dial = async (address, options) => { dialed.push(address); return await dial(address, options) }
    const host = await mesh.host({ transports: [transport] })
    const target = await mesh.host({ autoDial: false })
    await expect(rawConnect(mesh, host.address, { role: 'host' })).rejects.toMatchObject({ code: 'ERR_HANDSHAKE' })
    const member = await rawConnect(mesh, host.address, { role: 'browser' })
    await member.send({ t: 'peers', peers: [{ peerId: target.node.peerId, role: 'host', addrs: [target.address] }] })
    await member.send({ t: 'ping', id: 1 })
    expect(await member.nextMatching(m => m.t === 'pong')).toEqual({ t: 'pong', id: 1 })
    expect(dialed).toEqual([])
  })
})
