/**
 * Memory of `cairn get FOLDER -o DIR` (the built CLI against a real host): a
 * folder of 2,000 small files (64 KiB each, 125 MiB in all) and one 256 MiB
 * file. Each get reports its own peak RSS (`process.resourceUsage().maxRSS`,
 * written at exit by a `--require` preload); the folder get may use at most
 * EXTRA more than a get of one small file. Measured (2026-12-03, loaded 2-core
 * machine): one small file 69 MiB, the folder 135 MiB (+65 MiB: read-ahead,
 * files in flight, V8 heap); a get of the 256 MiB file alone peaks at 128 MiB,
 * as one of 64 MiB does. Holding the big file, or the small files' bytes, in
 * memory would exceed EXTRA. Not timed.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Cluster, randomFile, sha256File, useTempStateDir } from './harness.js'

const cluster = new Cluster()
afterEach(async () => { await cluster.cleanup() })
useTempStateDir()

const MiB = 1024 * 1024
const SMALL = 2_000
const SMALL_SIZE = 64 * 1024
const BIG = 256 * MiB
/** Most the folder get may use beyond a one-file get: under the big file, and under the small files' bytes plus the measured overhead. */
const EXTRA = 112 * MiB

const PRELOAD = `const { writeFileSync } = require('node:fs')
process.on('exit', () => { writeFileSync(process.env.CAIRN_TEST_PEAK_RSS, String(process.resourceUsage().maxRSS * 1024)) })
`

describe('folder get memory', () => {
  it(`a folder of ${SMALL} small files and a ${BIG / MiB} MiB file is fetched with bounded memory`, async () => {
    const host = await cluster.startHost(['--replicas', '1'])
    const work = await cluster.tempDir()
    const preload = join(work, 'peak-rss.cjs')
    await writeFile(preload, PRELOAD)
    /** Run `cairn args…` to success; resolves with its peak RSS in bytes. */
    const peak = async (args: string[], name: string): Promise<number> => {
      const report = join(work, `${name}.rss`)
      const result = await cluster.cli(args, { timeout: 600_000, env: { NODE_OPTIONS: `--require ${preload}`, CAIRN_TEST_PEAK_RSS: report } })
      expect(result.code, result.stderr).toBe(0)
      return Number(await readFile(report, 'utf8'))
    }

    const src = join(work, 'src')
    for (let d = 0; d < 4; d++) {
      await mkdir(join(src, `d${d}`), { recursive: true })
      for (let i = 0; i < SMALL / 4; i++) await randomFile(join(src, `d${d}`, `f${i}.bin`), SMALL_SIZE)
    }
    const bigDigest = await randomFile(join(src, 'big.bin'), BIG)
    const one = join(work, 'one.txt')
    await writeFile(one, 'one small file\n')

    const [folder] = await cluster.json<{ link: string, files: number }>(['put', src, '--mesh', host.url], { timeout: 600_000 })
    expect(folder!.files).toBe(SMALL + 1)
    const [single] = await cluster.json<{ link: string }>(['put', one, '--mesh', host.url])

    const baseline = await peak(['get', single!.link, '-o', join(work, 'one-copy.txt')], 'one')
    const out = join(work, 'out')
    const folderPeak = await peak(['get', folder!.link, '-o', out], 'folder')
    console.log(`peak RSS: one small file ${(baseline / MiB).toFixed(1)} MiB, folder get ${(folderPeak / MiB).toFixed(1)} MiB`)

    expect(await sha256File(join(out, 'big.bin'))).toBe(bigDigest)
    for (const [d, i] of [[0, 0], [1, 77], [3, SMALL / 4 - 1]]) {
      expect(await sha256File(join(out, `d${d}`, `f${i}.bin`))).toBe(await sha256File(join(src, `d${d}`, `f${i}.bin`)))
    }
    expect(baseline).toBeGreaterThan(0)
    expect(folderPeak - baseline).toBeLessThan(EXTRA)
  }, 900_000)
})
