/**
 * Issue 13 with real hosts: a file's own replica target kept by repair after
 * a host dies, expiry enforced to the second, hosts' --max-expiry.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Cluster, waitFor, type HostProcess } from './harness.js'

const cluster = new Cluster()
afterEach(async () => { await cluster.cleanup() })

interface Status { blocks: number, underReplicated: number, storingHosts: number, reclaimedBytes?: number }
interface Put { link: string, replicas: number, target: number, expires?: string }

async function status (host: HostProcess): Promise<Status> {
  return (await cluster.json<Status>(['status', '--mesh', host.url]))[0]!
}

async function smallFile (text = 'lifecycle bytes\n'): Promise<string> {
  const file = join(await cluster.tempDir(), 'f.txt')
  await writeFile(file, text)
  return file
}

/** Three hosts, each connected to the other two. */
async function threeHosts (args: string[] = []): Promise<HostProcess[]> {
  const a = await cluster.startHost(args)
  const b = await cluster.startHost([...args, '--peer', a.peerUrl])
  const c = await cluster.startHost([...args, '--peer', a.peerUrl])
  for (const h of [a, b, c]) await waitFor('a full mesh of three', async () => (await status(h)).storingHosts === 3 ? true : undefined)
  return [a, b, c]
}

describe('per-file replicas (put --replicas)', () => {
  it('repair keeps the file\'s R, not the hosts\' default, after a host holding it dies', async () => {
    // Hosts default to R = 1: only the file's own R = 2 makes repair copy anything.
    const hosts = await threeHosts(['--replicas', '1'])
    const [put] = await cluster.json<Put>(['put', await smallFile(), '--mesh', hosts[0]!.url, '--replicas', '2'])
    expect(put).toMatchObject({ replicas: 2, target: 2 })
    const before = await Promise.all(hosts.map(status))
    const copies = before.reduce((n, s) => n + s.blocks, 0)
    expect(copies % 2).toBe(0)
    const blocks = copies / 2
    const victim = hosts[before.findIndex(s => s.blocks > 0)]!
    await cluster.kill(victim)
    const live = hosts.filter(h => h !== victim)
    // Two live hosts, every block at R = 2: both hold every block.
    await waitFor('repair to bring every block back to 2 copies', async () => {
      const now = await Promise.all(live.map(status))
      return now.every(s => s.blocks === blocks && s.underReplicated === 0) ? now : undefined
    }, { timeout: 90_000 })
    const got = await cluster.cli(['get', put!.link, '--mesh', live[0]!.url])
    expect(got.code).toBe(0)
    expect(got.stdout.toString()).toBe('lifecycle bytes\n')
  })
})

describe('expiry (put --expires, --expires-at; host --max-expiry)', () => {
  it('hosts serve the file until its expiry and refuse it from that second on: get exits 5 saying it expired', async () => {
    const hosts = await threeHosts()
    // Long enough for one `cairn get` on a loaded machine, short enough to wait for.
    const [put] = await cluster.json<Put>(['put', await smallFile(), '--mesh', hosts[0]!.url, '--expires', '8s'])
    const expires = Date.parse(put!.expires!)
    expect(expires - Date.now()).toBeLessThanOrEqual(8_000)
    const early = await cluster.cli(['get', put!.link])
    const earlyEnded = Date.now()
    // Only meaningful if the get finished before the deadline (it takes well under a second).
    expect(earlyEnded).toBeLessThan(expires)
    expect(early.code).toBe(0)
    expect(early.stdout.toString()).toBe('lifecycle bytes\n')
    while (Date.now() < expires) await new Promise(resolve => setTimeout(resolve, expires - Date.now()))
    const late = await cluster.cli(['get', put!.link])
    expect(late.code).toBe(5)
    expect(late.stderr).toMatch(/^cairn: .*expired/m)
    // Every host refuses it, not only the first asked.
    for (const h of hosts) {
      const direct = await cluster.cli(['get', put!.link, '--mesh', h.url])
      expect(direct.code).toBe(5)
      expect(direct.stderr).toMatch(/expired/)
    }
  })

  it('--expires-at takes an ISO-8601 time; bad or past expiries are usage errors', async () => {
    const host = await cluster.startHost()
    const file = await smallFile()
    const at = new Date(Date.now() + 3_600_000).toISOString()
    const [put] = await cluster.json<Put>(['put', file, '--mesh', host.url, '--expires-at', at])
    expect(Date.parse(put!.expires!)).toBe(Date.parse(at))
    for (const args of [['--expires', '10x'], ['--expires', '0s'], ['--expires-at', 'tomorrow'], ['--expires-at', '2001-01-01T00:00:00Z'], ['--expires', '1h', '--expires-at', at]]) {
      const bad = await cluster.cli(['put', file, '--mesh', host.url, ...args])
      expect(bad.code, args.join(' ')).toBe(2)
      expect(bad.stderr).toMatch(/^cairn: /)
    }
  })

  it('a host with --max-expiry refuses longer expiries and puts without one (exit 2), and takes shorter ones', async () => {
    const host = await cluster.startHost(['--max-expiry', '1h'])
    const file = await smallFile()
    const long = await cluster.cli(['put', file, '--mesh', host.url, '--expires', '2h'])
    expect(long.code).toBe(2)
    expect(long.stderr).toMatch(/at most 1h/)
    const none = await cluster.cli(['put', file, '--mesh', host.url])
    expect(none.code).toBe(2)
    expect((await status(host)).blocks).toBe(0)
    const ok = await cluster.cli(['put', file, '--mesh', host.url, '--expires', '30m'])
    expect(ok.code).toBe(0)
    expect((await status(host)).blocks).toBeGreaterThan(0)
  })
})

describe('garbage collection (host --gc-interval)', () => {
  it('reclaims an expired file on every host, reports reclaimedBytes in status and a line on stderr', async () => {
    const hosts = await threeHosts(['--gc-interval', '1s'])
    const [put] = await cluster.json<Put>(['put', await smallFile(), '--mesh', hosts[0]!.url, '--expires', '3s'])
    const expires = Date.parse(put!.expires!)
    expect(put!.replicas).toBe(3)
    const after = await waitFor('every host to reclaim the expired blocks', async () => {
      const now = await Promise.all(hosts.map(status))
      return now.every(s => s.blocks === 0) ? now : undefined
    }, { timeout: 60_000 })
    expect(Date.now()).toBeGreaterThanOrEqual(expires)
    // Every host held every block (3 copies on 3 hosts): each reclaimed them and said so.
    hosts.forEach((h, i) => {
      expect(after[i]!.reclaimedBytes).toBeGreaterThan(0)
      expect(h.stderr()).toMatch(/^cairn: gc reclaimed \d+ blocks?, .* \(\d+ expired, 0 deleted, 0 surplus\)$/m)
    })
  })

  it('never drops the last copy: a host left alone with a file keeps it through its passes', async () => {
    const hosts = await threeHosts(['--gc-interval', '1s', '--replicas', '1'])
    const [put] = await cluster.json<Put>(['put', await smallFile(), '--mesh', hosts[0]!.url, '--replicas', '3'])
    expect(put).toMatchObject({ replicas: 3 })
    const blocks = (await status(hosts[2]!)).blocks
    expect(blocks).toBeGreaterThan(0)
    await cluster.kill(hosts[0]!)
    await cluster.kill(hosts[1]!)
    const survivor = hosts[2]!
    await waitFor('the survivor to see it is alone', async () => (await status(survivor)).storingHosts === 1 ? true : undefined)
    // An absence can only be shown over time: several passes (1 s apart, 1 s grace) must go by.
    const until = Date.now() + 5_000
    while (Date.now() < until) {
      const s = await status(survivor)
      expect(s.blocks).toBe(blocks)
      expect(s.reclaimedBytes).toBe(0)
    }
    const got = await cluster.cli(['get', put!.link, '--mesh', survivor.url])
    expect(got.code).toBe(0)
    expect(got.stdout.toString()).toBe('lifecycle bytes\n')
  })
})
