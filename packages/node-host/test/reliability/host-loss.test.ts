/**
 * Issue item 2 — a host lost mid-transfer. Real host processes; the reader is
 * an in-process client connected to every host (as a tab would be), or the
 * `cairn get` CLI connected to one.
 *  - kill -9 of a host that is serving blocks: the read finishes from the other replicas, byte-identical;
 *  - every replica gone: the read fails with `UnavailableError` promptly instead of hanging;
 *  - `cairn get` whose blocks are on no live host: exit code 5 with a one-line "no reachable peer" reason, in bounded time.
 */
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { UnavailableError } from '@cairn/core'
import type { MeshNode } from '@cairn/core'
import { Cluster, randomFile, waitFor, type HostProcess } from '../harness.js'
import { scanBlocks } from './support/disk.js'
import { readDigest } from './support/files.js'
import { connectClient } from './support/mesh.js'

const MiB = 1024 * 1024

interface Status { blocks: number, peers: Array<{ role: string }> }

describe('a host lost mid-transfer', () => {
  const cluster = new Cluster()
  const clients: MeshNode[] = []
  afterEach(async () => { await Promise.all(clients.splice(0).map(async c => { await c.stop() })) })
  afterAll(async () => { await cluster.cleanup() })

  const hostCount = async (host: HostProcess): Promise<number> =>
    (await cluster.json<Status>(['status', '--mesh', host.url]))[0]!.peers.filter(p => p.role === 'host').length

  async function meshOf (count: number, args: string[]): Promise<HostProcess[]> {
    const first = await cluster.startHost(args)
    const hosts = [first]
    for (let i = 1; i < count; i++) hosts.push(await cluster.startHost([...args, '--peer', first.peerUrl]))
    for (const host of hosts) await waitFor('a full mesh', async () => await hostCount(host) === count - 1 ? true : undefined)
    return hosts
  }

  async function putFile (host: HostProcess, size: number, args: string[] = []): Promise<{ link: string, digest: string }> {
    const src = join(await cluster.tempDir('cairn-src-'), 'src.bin')
    const digest = await randomFile(src, size)
    const [put] = await cluster.json<{ link: string }>(['put', src, '--mesh', host.url, ...args])
    return { link: put!.link, digest }
  }

  it('finishes from another replica, byte-identical, then fails fast with UnavailableError once no replica is left', async () => {
    const hosts = await meshOf(3, [])
    const { link, digest } = await putFile(hosts[0]!, 24 * MiB)
    const client = await connectClient(hosts.map(h => h.url))
    clients.push(client)
    const byPeer = new Map(hosts.map(h => [h.peerId, h]))

    // Kill the host that has sent us the most so far, once 4 blocks are in.
    let victim: HostProcess | undefined
    let blocksAtKill = 0
    let bytesFromVictim = 0
    const first = await readDigest(client, link, {
      onBlock: count => {
        if (count !== 4) return
        const busiest = client.peers().sort((x, y) => y.bytesReceived - x.bytesReceived)[0]!
        victim = byPeer.get(busiest.peerId)
        blocksAtKill = count
        bytesFromVictim = busiest.bytesReceived
        victim!.child.kill('SIGKILL')
      }
    })
    expect(first).toEqual({ digest, size: 24 * MiB })
    expect(victim).toBeDefined()
    expect(blocksAtKill).toBeLessThan(25)
    expect(bytesFromVictim).toBeGreaterThan(MiB)
    expect((await victim!.exited).signal).toBe('SIGKILL')
    expect(client.peers().map(p => p.peerId)).not.toContain(victim!.peerId)

    // Now lose every other replica during a second read.
    const rest = hosts.filter(h => h !== victim)
    let killedAt = 0
    const second = readDigest(client, link, {
      onBlock: count => {
        if (count !== 2) return
        killedAt = performance.now()
        for (const host of rest) host.child.kill('SIGKILL')
      }
    })
    const err = await second.then(() => undefined, (e: unknown) => e)
    const failedAfter = performance.now() - killedAt
    expect(err).toBeInstanceOf(UnavailableError)
    expect((err as UnavailableError).code).toBe('ERR_UNAVAILABLE')
    expect(killedAt).toBeGreaterThan(0)
    expect(failedAfter).toBeLessThan(5_000)
    console.log(`host-loss: killed a host after ${blocksAtKill} of 25 blocks (${(bytesFromVictim / MiB).toFixed(1)} MiB from it); ` +
      `with no replica left the read failed ${Math.round(failedAfter)} ms after the kill`)
  }, 180_000)

  it('cairn get exits 5 with a clear reason when the blocks are on no live host', async () => {
    // R = 1 (hosts and put): each block lives on exactly one of the two hosts.
    const [a, b] = await meshOf(2, ['--replicas', '1'])
    const { link } = await putFile(a!, 16 * MiB, ['--replicas', '1'])
    const [onA, onB] = await Promise.all([a!, b!].map(async h => (await scanBlocks(join(h.data, 'blocks'))).blocks.length))
    expect(onB).toBeGreaterThan(0)
    expect(onA! + onB!).toBeGreaterThanOrEqual(17)
    await cluster.kill(b!, 'SIGKILL')
    await waitFor('a to notice b is gone', async () => await hostCount(a!) === 0 ? true : undefined)

    const out = join(await cluster.tempDir('cairn-out-'), 'out.bin')
    const started = performance.now()
    const got = await cluster.cli(['get', link, '--mesh', a!.url, '-o', out], { timeout: 60_000 })
    const elapsed = performance.now() - started
    expect(got.code).toBe(5)
    expect(got.stderr.trim().split('\n')).toHaveLength(1)
    expect(got.stderr).toMatch(/^cairn: .*no reachable peer has it/)
    expect(elapsed).toBeLessThan(15_000)
    console.log(`host-loss: cairn get with no replica left exited 5 after ${Math.round(elapsed)} ms: ${got.stderr.trim()}`)
  }, 120_000)
})
