/**
 * Issue item 4 — disk full. A real host process whose data dir is a 6 MiB
 * tmpfs in its own mount namespace (`unshare -m`), so writes really fail
 * with ENOSPC; and a host whose `--max-storage` quota is reached.
 *  - the client gets a clear error: `cairn put` exits 6 with a one-line reason naming the full storage;
 *  - no half-written file: no temp file left, every file under a block name re-hashes;
 *  - reads keep working: a file stored before comes back byte-identical, status answers.
 */
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { Cluster, randomFile, sha256File, type HostProcess } from '../harness.js'
import { badBlocks, scanBlocks } from './support/disk.js'
import { killAll, startTmpfsHost } from './support/proc.js'

const MiB = 1024 * 1024

describe('a full disk', () => {
  const cluster = new Cluster()
  afterAll(async () => {
    await killAll()
    await cluster.cleanup()
  })

  async function fillAndCheck (host: HostProcess, expectReason: RegExp): Promise<void> {
    const dir = await cluster.tempDir('cairn-src-')
    const small = join(dir, 'small.bin')
    const smallDigest = await randomFile(small, 2 * MiB)
    const [first] = await cluster.json<{ link: string, replicas: number }>(['put', small, '--mesh', host.url])
    expect(first!.replicas).toBe(1)
    const before = await scanBlocks(join(host.data, 'blocks'))

    const big = join(dir, 'big.bin')
    await randomFile(big, 8 * MiB)
    const put = await cluster.cli(['put', big, '--mesh', host.url])
    expect(put.code).toBe(6)
    expect(put.stderr.trim().split('\n')).toHaveLength(1)
    expect(put.stderr).toMatch(expectReason)
    expect(put.stdout.toString()).toBe('')

    const after = await scanBlocks(join(host.data, 'blocks'))
    expect(after.temp).toEqual([])
    expect(after.strays).toEqual([])
    expect(await badBlocks(after.blocks)).toEqual([])
    expect(after.blocks.length).toBeGreaterThanOrEqual(before.blocks.length)

    const out = join(dir, 'out.bin')
    const got = await cluster.cli(['get', first!.link, '--mesh', host.url, '-o', out])
    expect(got.stderr).toBe('')
    expect(got.code).toBe(0)
    expect(await sha256File(out)).toBe(smallDigest)
    const [status] = await cluster.json<{ blocks: number }>(['status', '--mesh', host.url])
    expect(status!.blocks).toBe(after.blocks.length)
    console.log(`disk-full: ${after.blocks.length} blocks (${after.blocks.reduce((n, b) => n + b.size, 0)} bytes) fit; put refused: ${put.stderr.trim()}`)
  }

  it('ENOSPC on a 6 MiB tmpfs: put fails with a clear reason, nothing half-written, reads keep working', async () => {
    const mount = await cluster.tempDir('cairn-tmpfs-')
    const host = await startTmpfsHost(mount, 6 * MiB)
    await fillAndCheck(host, /^cairn: .*(storage full|no space left)/)
    host.child.kill('SIGTERM')
    expect((await host.exited).code).toBe(0)
  }, 120_000)

  it('--max-storage reached: the same clear error, nothing half-written, reads keep working', async () => {
    const host = await cluster.startHost(['--max-storage', '3MiB'])
    await fillAndCheck(host, /^cairn: .*storage full/)
  }, 120_000)
})
