/**
 * `$CAIRN_CRYPTO_THREADS` on the built CLI: a put and a get whose crypto runs
 * in a worker pool move the same bytes as ones on the calling thread (and
 * the commands exit by themselves: the pool keeps no process alive); a value
 * that is not a thread count is a usage error.
 */
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Cluster, randomFile, sha256File, useTempStateDir } from './harness.js'

const cluster = new Cluster()
afterEach(async () => { await cluster.cleanup() })
useTempStateDir()

const MiB = 1024 * 1024

describe('CAIRN_CRYPTO_THREADS', () => {
  it('puts and gets through a crypto pool, byte for byte, either way round with the calling thread', async () => {
    const host = await cluster.startHost(['--replicas', '1'])
    const dir = await cluster.tempDir()
    const src = join(dir, 'src.bin')
    const digest = await randomFile(src, 5 * MiB + 12_345)
    const pooled = { CAIRN_CRYPTO_THREADS: '2' }
    const inline = { CAIRN_CRYPTO_THREADS: '0' }
    for (const [put, get] of [[pooled, inline], [inline, pooled]] as const) {
      const [added] = await cluster.json<{ link: string }>(['put', src, '--mesh', host.url], { env: put })
      const out = join(dir, `copy-${put.CAIRN_CRYPTO_THREADS}.bin`)
      const result = await cluster.cli(['get', added!.link, '-o', out, '--mesh', host.url], { env: get, timeout: 60_000 })
      expect(result.code, result.stderr).toBe(0)
      expect(await sha256File(out)).toBe(digest)
    }
  })

  it('refuses a value that is not a thread count, exit 2, naming the variable', async () => {
    const dir = await cluster.tempDir()
    const result = await cluster.cli(['put', join(dir, 'nothing.bin')], { env: { CAIRN_CRYPTO_THREADS: 'lots' }, timeout: 15_000 })
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/CAIRN_CRYPTO_THREADS must be a whole number from 0 to 64, got 'lots'/)
  })
})
