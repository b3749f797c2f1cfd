/**
 * Issue 15 with real processes: 12 `cairn host` processes in zones a, b and c
 * (`--zone`, four each, R = 3). A `cairn put` puts each block's copies in 3
 * distinct zones (read from the hosts' data dirs); SIGKILL of all four hosts
 * of one zone loses nothing: every block still has copies on the survivors
 * and `cairn get` through a surviving host returns the file byte-identical.
 * A 6 MiB file (8 blocks) and the built CLI: about 30 s on a busy 2-core machine.
 * With zone-unaware placement it fails (checked by not sending zones in hello).
 */
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { Cluster, randomFile, sha256File, waitFor, type HostProcess } from '../harness.js'
import { scanBlocks } from './support/disk.js'

const MiB = 1024 * 1024
const ZONES = ['a', 'b', 'c'] as const
const PER_ZONE = 4
const R = 3

interface Status { peers: Array<{ role: string }>, storingHosts: number }

describe('12 real hosts in 3 zones', () => {
  const cluster = new Cluster()
  afterAll(async () => { await cluster.cleanup() })

  const zoneOf = new Map<HostProcess, string>()
  const startZoned = async (zone: string, args: string[] = []): Promise<HostProcess> => {
    const host = await cluster.startHost(['--zone', zone, '--replicas', String(R), ...args])
    zoneOf.set(host, zone)
    return host
  }

  /** Block id → zones of the hosts (among `hosts`) whose data dir holds it, one entry per copy. */
  async function copies (hosts: HostProcess[]): Promise<Map<string, string[]>> {
    const held = new Map<string, string[]>()
    for (const host of hosts) {
      for (const block of (await scanBlocks(join(host.dataDir, 'blocks'))).blocks) {
        held.set(block.id, [...held.get(block.id) ?? [], zoneOf.get(host)!])
      }
    }
    return held
  }

  it('puts each block\'s copies in 3 distinct zones; a whole zone killed, nothing is lost', async () => {
    const first = await startZoned('a')
    const others = await Promise.all(Array.from({ length: ZONES.length * PER_ZONE - 1 }, async (_, i) =>
      await startZoned(ZONES[(i + 1) % ZONES.length]!, ['--peer', first.peerUrl])))
    const hosts = [first, ...others]
    for (const zone of ZONES) expect(hosts.filter(h => zoneOf.get(h) === zone)).toHaveLength(PER_ZONE)

    // The coordinating host sees every other storing host (and so every zone).
    await waitFor('the first host to see 11 storing hosts', async () => {
      const [status] = await cluster.json<Status>(['status', '--mesh', first.url])
      return status!.storingHosts === hosts.length ? true : undefined
    }, { interval: 250 })

    const src = join(await cluster.tempDir('cairn-src-'), 'src.bin')
    const digest = await randomFile(src, 6 * MiB)
    const [put] = await cluster.json<{ link: string, replicas: number, target: number }>(['put', src, '--mesh', first.url])
    expect(put!.target).toBe(R)
    expect(put!.replicas).toBeGreaterThanOrEqual(2)

    // Every block reaches R copies (the put returns after W of them), one in each zone.
    const placed = await waitFor('R copies of every block', async () => {
      const held = await copies(hosts)
      return held.size >= 7 && [...held.values()].every(zones => zones.length >= R) ? held : undefined
    }, { timeout: 30_000 })
    console.log(`zones: ${placed.size} blocks, copies per block ${[...new Set([...placed.values()].map(z => z.length))].join('/')}`)
    for (const [id, zones] of placed) {
      expect(zones, `copies of ${id}`).toHaveLength(R)
      expect(new Set(zones), `zones of ${id}`).toEqual(new Set(ZONES))
    }

    // Kill zone a (the coordinating host's, so the link's host is gone too).
    const dead = hosts.filter(h => zoneOf.get(h) === 'a')
    const alive = hosts.filter(h => zoneOf.get(h) !== 'a')
    await Promise.all(dead.map(async host => { await cluster.kill(host) }))
    const left = await copies(alive)
    for (const id of placed.keys()) expect(left.get(id)?.length ?? 0, `copies of ${id} left`).toBe(R - 1)

    const out = join(await cluster.tempDir('cairn-out-'), 'copy.bin')
    const got = await cluster.cli(['get', put!.link, '--mesh', alive[0]!.url, '-o', out], { timeout: 60_000 })
    expect(got.code, got.stderr).toBe(0)
    expect(await sha256File(out)).toBe(digest)
  }, 120_000)
})
