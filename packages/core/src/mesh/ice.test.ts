import { afterEach, describe, expect, it } from 'vitest'
import type { IceServer } from '../wire/messages.js'
import { nextEvent, rawConnect, TestMesh } from '../../test/support/mesh.js'

let mesh: TestMesh
afterEach(async () => { await mesh.stopAll() })

const SERVERS: IceServer[] = [
  { urls: ['stun:stun.example.org:3478'] },
  { urls: ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:5349'], username: 'u', credential: 'p' }
]

describe('ICE servers from hosts', () => {
  it('a host hands its list to each tab that joins, and to no other role', async () => {
    mesh = new TestMesh()
    const host = await mesh.host({ iceServers: SERVERS })
    const tab = await mesh.add('browser')
    const received = nextEvent<{ from: string, servers: IceServer[] }>(tab.node, 'ice')
    await tab.node.dial(host.address)
    expect(await received).toEqual({ from: host.node.peerId, servers: SERVERS })
    expect(tab.node.iceServers()).toEqual(SERVERS)

    // A client and another host get none: a raw client sees its next frame is the answer to a ping.
    const raw = await rawConnect(mesh, host.address, { role: 'client' })
    await raw.send({ t: 'ping', id: 7 })
    expect(await raw.nextMatching(m => m.t !== 'peers')).toEqual({ t: 'pong', id: 7 })
  })

  it('a tab keeps none when its host has none', async () => {
    mesh = new TestMesh()
    const host = await mesh.host()
    const tab = await mesh.add('browser')
    await tab.node.dial(host.address)
    expect(tab.node.iceServers()).toEqual([])
  })

  it('a tab takes a list only from a host; from anyone else it is a protocol fault', async () => {
    mesh = new TestMesh()
    const tab = await mesh.add('browser')
    const accepted: Array<Promise<string>> = []
    mesh.net.listen('memory://tab', conn => {
      const result = tab.node.accept(conn)
      result.catch(() => {})
      accepted.push(result)
    })

    const other = await rawConnect(mesh, 'memory://tab', { role: 'browser' })
    await other.send({ t: 'ice', servers: SERVERS })
    expect(await other.nextMatching(m => m.t === 'error')).toMatchObject({ code: 'ERR_PROTOCOL' })
    expect(tab.node.iceServers()).toEqual([])

    // Hosts never dial tabs: a peer claiming `host` on a connection the tab accepted (a
    // WebRTC channel from another member) cannot prove it to a tab, and is refused.
    await expect(rawConnect(mesh, 'memory://tab', { role: 'host' })).rejects.toMatchObject({ code: 'ERR_HANDSHAKE' })
    await expect(accepted.at(-1)).rejects.toMatchObject({ reason: 'bad-host-key' })
    expect(tab.node.iceServers()).toEqual([])

    // A host the tab dialed hands it a list.
    const host = await mesh.host({ iceServers: SERVERS.slice(0, 1) })
    const received = nextEvent(tab.node, 'ice')
    await tab.node.dial(host.address)
    await received
    expect(tab.node.iceServers()).toEqual(SERVERS.slice(0, 1))
  })

  it('a host refuses a list no browser would accept', async () => {
    mesh = new TestMesh()
    await expect(mesh.host({ iceServers: [{ urls: ['http://stun.example.org'] }] })).rejects.toMatchObject({ code: 'ERR_FRAME_MALFORMED' })
    await expect(mesh.host({ iceServers: [{ urls: ['turn:turn.example.org'] }] })).rejects.toThrow(/without username and credential/)
    await expect(mesh.host({ iceServers: [{ urls: [] }] })).rejects.toThrow(/is empty/)
  })
})
