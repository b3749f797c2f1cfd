/**
 * Three real host processes with R=3 on 127.0.0.1: a 64 MiB file put through
 * one comes back byte-identical through another, survives kill -9 of a host,
 * and a fourth host joining brings every block back to R replicas.
 */
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { Cluster, randomFile, sha256File, waitFor, type HostProcess } from './harness.js'

const MiB = 1024 * 1024
const SIZE = 64 * MiB

interface Status { peerId: string, peers: Array<{ peerId: string, role: string }>, blocks: number, bytes: number, underReplicated: number }
interface Put { link: string, root: string, size: number, replicas: number, target: number, resumedBytes: number }

describe('three hosts, R=3', () => {
  const cluster = new Cluster()
  afterAll(async () => { await cluster.cleanup() })

  let a: HostProcess, b: HostProcess, c: HostProcess
  let source: string, digest: string, put: Put

  const status = async (host: HostProcess): Promise<Status> => (await cluster.json<Status>(['status', '--mesh', host.url]))[0]!
  const hostPeers = (s: Status): number => s.peers.filter(p => p.role === 'host').length

  async function getVia (host: HostProcess, name: string): Promise<string> {
    const out = join(await cluster.tempDir('cairn-out-'), name)
    const result = await cluster.cli(['get', put.link, '--mesh', host.url, '-o', out])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    return await sha256File(out)
  }

  it('forms a mesh from --peer join URLs', async () => {
    a = await cluster.startHost(['--replicas', '3'])
    b = await cluster.startHost(['--replicas', '3', '--peer', a.peerUrl])
    c = await cluster.startHost(['--replicas', '3', '--peer', a.peerUrl])
    for (const host of [a, b, c]) {
      await waitFor(`${host.peerId} to see two hosts`, async () => hostPeers(await status(host)) >= 2 ? true : undefined)
    }
  })

  it('puts 64 MiB through one host and gets it byte-identical through another', async () => {
    const dir = await cluster.tempDir('cairn-src-')
    source = join(dir, 'random.bin')
    digest = await randomFile(source, SIZE)
    const lines = await cluster.json<Put>(['put', source, '--mesh', a.url])
    expect(lines).toHaveLength(1)
    put = lines[0]!
    expect(put).toEqual({ link: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/#join=.+&file=bafkrei[a-z2-7]{52}\.[A-Za-z0-9_-]{22}$/), root: expect.stringMatching(/^bafkrei/), size: SIZE, replicas: 3, target: 3, resumedBytes: 0, owner: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) })
    expect(put.link.startsWith(a.origin)).toBe(true)
    expect(await getVia(b, 'via-b.bin')).toBe(digest)
  }, 180_000)

  it('gets it again after kill -9 of the host it was put through', async () => {
    await cluster.kill(a, 'SIGKILL')
    expect(await getVia(c, 'via-c.bin')).toBe(digest)
    // With two of three hosts left, every block is below R = 3 until a host joins.
    await waitFor('b and c to notice the loss and report blocks under R', async () => {
      const [sb, sc] = [await status(b), await status(c)]
      return [sb, sc].every(s => hostPeers(s) === 1 && s.underReplicated > 0) ? true : undefined
    })
  }, 180_000)

  it('a fourth host joining brings every block back to R=3', async () => {
    const d = await cluster.startHost(['--replicas', '3', '--peer', `ws://127.0.0.1:${b.port}`, '--token', new URL(b.peerUrl).hash.slice('#host='.length)])
    // underReplicated is as of each host's last repair pass, so also wait for d to hold every block.
    const settled = await waitFor('d to hold every block and every host to report underReplicated 0', async () => {
      const all = await Promise.all([b, c, d].map(status))
      const held = all[0]!.blocks
      return all.every(s => s.underReplicated === 0 && s.blocks === held && hostPeers(s) === 2) ? all : undefined
    }, { timeout: 120_000 })
    expect(settled[2]!.blocks).toBeGreaterThanOrEqual(SIZE / (1024 * 1024))
    expect(await getVia(d, 'via-d.bin')).toBe(digest)
  }, 300_000)
})
