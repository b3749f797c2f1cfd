/**
 * Two `cairn get`s to one output path at the same time (real processes, the
 * built CLI): the second refuses at once with exit 9 and one clear line, the
 * first finishes untouched. The first is paused (SIGSTOP) while its part file
 * is open, so the two overlap for sure, without timing.
 */
import { spawn } from 'node:child_process'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { CLI, Cluster, randomFile, recordedBlocks, sha256File, useTempStateDir, waitFor } from './harness.js'

const cluster = new Cluster()
afterEach(async () => { await cluster.cleanup() })
useTempStateDir()

const MiB = 1024 * 1024

describe('two gets to one output path', () => {
  it('the second refuses with exit 9 while the first runs; the first finishes intact', async () => {
    const host = await cluster.startHost(['--replicas', '1'])
    const dir = await cluster.tempDir()
    const src = join(dir, 'src.bin')
    const digest = await randomFile(src, 48 * MiB)
    const [put] = await cluster.json<{ link: string }>(['put', src, '--mesh', host.url])
    const out = join(dir, 'copy.bin')

    const first = spawn(process.execPath, [CLI, 'get', put!.link, '-o', out, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    first.stdout.setEncoding('utf8').on('data', (text: string) => { stdout += text })
    const exited = new Promise<number | null>(resolve => first.once('exit', code => resolve(code)))
    try {
      await waitFor('the first get writing', async () => await recordedBlocks(dir) >= 2 ? true : undefined, { timeout: 120_000, interval: 5 })
      process.kill(first.pid!, 'SIGSTOP')
      const second = await cluster.cli(['get', put!.link, '-o', out])
      process.kill(first.pid!, 'SIGCONT')

      expect(second.code).toBe(9)
      expect(second.stdout.length).toBe(0)
      const lines = second.stderr.trim().split('\n')
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(/^cairn: .*copy\.bin is being written by another cairn get \(process \d+\)/)

      expect(await exited).toBe(0)
      expect(JSON.parse(stdout.trim()).path).toBe(out)
      expect(await sha256File(out)).toBe(digest)
      // Nothing left beside it: no part, state or lock file.
      expect((await readdir(dir)).sort()).toEqual(['copy.bin', 'src.bin'])
    } finally {
      if (first.exitCode === null && first.signalCode === null) {
        process.kill(first.pid!, 'SIGCONT')
        first.kill('SIGKILL')
      }
    }
  }, 300_000)
})
