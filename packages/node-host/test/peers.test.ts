/**
 * A restarted host remembers its peers: the `--peer`s it was given and every
 * host it connected to or heard of through gossip (`<data>/peers.json`), and
 * redials them without flags. A host with R > 1 and no other host says so.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { FORGET_AFTER_MS, dataDirPaths, loadPeers, meshFingerprint, savePeers } from '../src/config/index.js'
import { Cluster, closedPort, waitFor, type HostProcess } from './harness.js'

const cluster = new Cluster()
afterEach(async () => { await cluster.cleanup() })

interface Status { peers: Array<{ peerId: string, role: string }> }

async function hostPeers (host: HostProcess): Promise<string[]> {
  const [status] = await cluster.json<Status>(['status', '--mesh', host.url])
  return status!.peers.filter(p => p.role === 'host').map(p => p.peerId).sort()
}

async function waitForHosts (host: HostProcess, expected: string[]): Promise<void> {
  const want = [...expected].sort()
  await waitFor(`${host.peerId} connected to ${want.length} hosts`, async () => {
    const got = await hostPeers(host)
    return got.length === want.length && got.every((id, i) => id === want[i]) ? true : undefined
  })
}

async function restart (host: HostProcess, args: string[] = [], options: { human?: boolean } = {}): Promise<HostProcess> {
  host.child.kill('SIGTERM')
  expect((await host.exited).code).toBe(0)
  // Same port, as a host restarted by hand or by a service manager keeps its --port.
  return await cluster.startHost(['--port', String(host.port), ...args], { data: host.data, ...options })
}

describe('a restarted host', () => {
  it('redials, without --peer, the host it was given and the one it only heard of through gossip', async () => {
    const a = await cluster.startHost()
    let b = await cluster.startHost(['--peer', a.peerUrl])
    const c = await cluster.startHost(['--peer', a.peerUrl])
    await waitForHosts(b, [a.peerId, c.peerId])

    // Saved within a second of being learned.
    const saved = await waitFor('b to save a and c', async () => {
      const text = await readFile(join(b.data, 'peers.json'), 'utf8')
      return text.includes(a.peerId) && text.includes(c.peerId) ? text : undefined
    }, { timeout: 5_000 })
    expect(saved).not.toContain(a.url.split('#join=')[1])
    expect((await stat(join(b.data, 'peers.json'))).mode & 0o777).toBe(0o600)

    b = await restart(b)
    await waitForHosts(b, [a.peerId, c.peerId])
    expect(b.stderr()).not.toMatch(/warning/)

    // c was only ever heard of through a's gossip: with a gone, b still finds it.
    await cluster.kill(a)
    b = await restart(b)
    await waitForHosts(b, [c.peerId])
  })

  it('remembers a --peer it never reached, and keeps trying it', async () => {
    const port = await closedPort()
    const first = await cluster.startHost(['--peer', `ws://127.0.0.1:${port}`])
    const again = await restart(first, [], { human: true })
    await waitFor('the dialer to try the remembered peer', async () =>
      again.stderr().includes(`cannot reach peer ws://127.0.0.1:${port}/mesh`) ? true : undefined)
    expect(again.stderr()).not.toMatch(/has no peers/)
  })
})

describe('a host alone', () => {
  it('with R > 1 and no peer warns at start and when its last host peer leaves; with R = 1 it does not', async () => {
    const a = await cluster.startHost()
    await a.waitForStderr('cairn: warning: this host has no peers: each new block gets 1 copy, not 3')
    const b = await cluster.startHost(['--peer', a.peerUrl])
    await waitForHosts(a, [b.peerId])
    expect(b.stderr()).not.toMatch(/warning/)
    await cluster.kill(b)
    await a.waitForStderr('cairn: warning: no other host is connected: until one is, each new block gets 1 copy, not 3')

    const single = await cluster.startHost(['--replicas', '1'])
    const [status] = await cluster.json<Status>(['status', '--mesh', single.url])
    expect(status!.peers).toEqual([])
    expect(single.stderr()).toBe('')
  })
})

describe('peers.json', () => {
  const dirs: string[] = []
  afterAll(async () => { for (const dir of dirs) await rm(dir, { recursive: true, force: true }) })
  const paths = async (): Promise<ReturnType<typeof dataDirPaths>> => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-peers-'))
    dirs.push(dir)
    return dataDirPaths(dir)
  }

  it('keeps pinned peers, forgets others unseen for a week, and leaves out another mesh\'s', async () => {
    const p = await paths()
    const now = Date.now()
    const old = now - FORGET_AFTER_MS - 1
    await savePeers(p, 'token', [
      { addrs: ['ws://10.0.0.1:4001/mesh'], pinned: true, seen: old },
      { addrs: ['ws://10.0.0.2:4001/mesh'], peerId: 'bfresh', seen: now },
      { addrs: ['ws://10.0.0.3:4001/mesh'], peerId: 'bstale', seen: old }
    ])
    expect(await loadPeers(p, 'token', now)).toEqual({
      peers: [
        { addrs: ['ws://10.0.0.1:4001/mesh'], pinned: true, seen: old },
        { addrs: ['ws://10.0.0.2:4001/mesh'], peerId: 'bfresh', seen: now }
      ],
      dropped: 1
    })
    expect(await loadPeers(p, 'another token', now)).toEqual({ peers: [], dropped: 3 })
  })

  it('trusts nothing it reads: malformed files and entries are left out', async () => {
    const p = await paths()
    expect(await loadPeers(p, 't')).toEqual({ peers: [], dropped: 0 })
    await writeFile(p.peers, '{not json')
    expect(await loadPeers(p, 't')).toEqual({ peers: [], dropped: 0 })
    const good = { addrs: ['wss://h.example:443/mesh'], seen: 1 }
    await writeFile(p.peers, JSON.stringify({
      mesh: meshFingerprint('t'),
      peers: [
        good,
        { addrs: ['http://h:1/'], seen: 1 },
        { addrs: ['ws://u:p@h:1/mesh'], seen: 1 },
        { addrs: [`ws://${'h'.repeat(300)}:1/mesh`], seen: 1 },
        { addrs: Array.from({ length: 9 }, (_, i) => `ws://h${i}:1/mesh`), seen: 1 },
        { addrs: ['ws://h:1/mesh'], seen: 'yesterday' },
        { addrs: ['ws://h:2'], seen: 1, peerId: 7, pinned: 'yes' },
        null, 'ws://h:3/mesh'
      ]
    }))
    const { peers } = await loadPeers(p, 't', 2)
    // Kept addresses come back as the URL to dial.
    expect(peers).toEqual([{ addrs: ['wss://h.example/mesh'], seen: 1 }, { addrs: ['ws://h:2/mesh'], seen: 1 }])
  })
})
