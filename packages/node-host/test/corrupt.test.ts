/**
 * A block corrupted on one host's disk: `cairn fsck` finds and quarantines
 * it, `get` still returns the right bytes (from the other replicas), and the
 * mesh restores the lost copy. Also a block corrupted under a live host.
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { Cluster, randomFile, sha256File, waitFor, type HostProcess } from './harness.js'

interface Status { blocks: number, underReplicated: number, peers: Array<{ role: string }> }

/** Block files under a data dir, largest first (content blocks before the manifest). */
async function blockFiles (data: string): Promise<Array<{ id: string, path: string, size: number }>> {
  const root = join(data, 'blocks')
  const found = []
  for (const shard of await readdir(root)) {
    if (!/^[a-z2-7]{2}$/.test(shard)) continue
    for (const name of await readdir(join(root, shard))) {
      if (!name.startsWith('bafkrei')) continue
      const path = join(root, shard, name)
      found.push({ id: name, path, size: (await stat(path)).size })
    }
  }
  return found.sort((x, y) => y.size - x.size)
}

async function flipByte (path: string, at: number): Promise<void> {
  const bytes = await readFile(path)
  bytes[at] = bytes[at]! ^ 0xff
  await writeFile(path, bytes)
}

describe('corrupted blocks on disk', () => {
  const cluster = new Cluster()
  afterAll(async () => { await cluster.cleanup() })

  const status = async (host: HostProcess): Promise<Status> => (await cluster.json<Status>(['status', '--mesh', host.url]))[0]!

  it('fsck finds a corrupt block, get still returns the right bytes, and the copy is restored', async () => {
    let a = await cluster.startHost()
    const b = await cluster.startHost(['--peer', a.peerUrl])
    const c = await cluster.startHost(['--peer', a.peerUrl])
    await waitFor('a full mesh', async () => (await status(c)).peers.filter(p => p.role === 'host').length === 2 ? true : undefined)
    const dir = await cluster.tempDir()
    const src = join(dir, 'src.bin')
    const digest = await randomFile(src, 8 * 1024 * 1024 + 123)
    const [put] = await cluster.json<{ link: string, replicas: number }>(['put', src, '--mesh', a.url])
    expect(put!.replicas).toBe(3)
    const held = (await status(a)).blocks

    a.child.kill('SIGTERM')
    expect((await a.exited).code).toBe(0)
    const [victim] = await blockFiles(a.data)
    await flipByte(victim!.path, 1000)

    const fsck = await cluster.cli(['fsck', '--data', a.data, '--json'])
    expect(fsck.code).toBe(8)
    expect(JSON.parse(fsck.stdout.toString())).toEqual({ checked: held, corrupt: [victim!.id] })
    expect(fsck.stderr).toMatch(new RegExp(`^cairn: fsck found 1 corrupt block of ${held} \\(moved to .*quarantine/\\)\\n$`))
    const again = await cluster.json<{ checked: number, corrupt: string[] }>(['fsck', '--data', a.data])
    expect(again).toEqual([{ checked: held - 1, corrupt: [] }])

    a = await cluster.startHost(['--peer', b.peerUrl], { data: a.data })
    const out = join(dir, 'out.bin')
    const got = await cluster.cli(['get', put!.link, '--mesh', a.url, '-o', out])
    expect(got.code).toBe(0)
    expect(await sha256File(out)).toBe(digest)
    await waitFor('the quarantined block to be restored on a', async () => {
      const s = await status(a)
      return s.blocks === held && s.underReplicated === 0 ? s : undefined
    }, { timeout: 120_000 })
  }, 240_000)

  it('a block corrupted under a running host is never served, and get still succeeds', async () => {
    const a = await cluster.startHost()
    await cluster.startHost(['--peer', a.peerUrl])
    await waitFor('two hosts', async () => (await status(a)).peers.filter(p => p.role === 'host').length === 1 ? true : undefined)
    const dir = await cluster.tempDir()
    const src = join(dir, 'src.bin')
    const digest = await randomFile(src, 4 * 1024 * 1024)
    const [put] = await cluster.json<{ link: string, replicas: number }>(['put', src, '--mesh', a.url])
    // Both hosts hold every block before a's copies rot (else nothing is left to get).
    expect(put!.replicas).toBe(2)
    for (const block of await blockFiles(a.data)) await flipByte(block.path, 7)
    const out = join(dir, 'out.bin')
    const got = await cluster.cli(['get', put!.link, '--mesh', a.url, '-o', out])
    expect(got.code).toBe(0)
    expect(await sha256File(out)).toBe(digest)
  }, 120_000)
})
