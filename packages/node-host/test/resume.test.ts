/**
 * Resume (issue 14), against real host processes and the built CLI: `get`
 * and `put` killed with SIGKILL at seeded random points and run again, a
 * tampered part file, a host restarted mid-get, and silent peers that make a
 * get give up after `--timeout`. Each resume's saved bytes are logged.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { readFile, stat, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { paddedBlockCount } from '@cairn/core/crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { CLI, Cluster, randomFile, recordedBlocks, sha256File, useTempStateDir, waitFor } from './harness.js'
import { seededRandom } from './reliability/support/random.js'

const cluster = new Cluster()
afterEach(async () => { await cluster.cleanup() })
const stateDir = useTempStateDir()

const MiB = 1024 * 1024
/**
 * The issue asks for 512 MiB; on the shared 2-core test machine a 512 MiB
 * put + get round trip with three interrupted runs each takes minutes, so
 * the default is 128 MiB (same code paths: 128 blocks, several write
 * batches per kill). `CAIRN_RESUME_MIB=512` runs the full size.
 */
const SIZE = (Number(process.env.CAIRN_RESUME_MIB) || 128) * MiB
const RUNS = 3
function start (args: string[]): { child: ChildProcess, exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }> } {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: 'ignore' })
  const exited = new Promise<{ code: number | null, signal: NodeJS.Signals | null }>(resolve => {
    child.once('exit', (code, signal) => resolve({ code, signal }))
  })
  return { child, exited }
}

/** Run `args` and SIGKILL the node process (by PID) once `progress()` reaches `target`; false if it finished first. */
async function killAt (args: string[], progress: () => Promise<number>, target: number): Promise<boolean> {
  const { child, exited } = start(args)
  let done = false
  void exited.then(() => { done = true })
  try {
    await waitFor('the kill point', async () => done || await progress() >= target ? true : undefined, { timeout: 120_000, interval: 10 })
    if (done) return false
    process.kill(child.pid!, 'SIGKILL')
    const { signal } = await exited
    return signal === 'SIGKILL'
  } finally {
    child.kill('SIGKILL')
  }
}

describe('get resumes', () => {
  it(`killed with SIGKILL at ${RUNS} seeded random points of a ${SIZE / MiB} MiB get, the same command finishes from the part file`, async () => {
    const random = seededRandom('get kill points')
    const host = await cluster.startHost(['--replicas', '1'])
    const dir = await cluster.tempDir()
    const src = join(dir, 'src.bin')
    const digest = await randomFile(src, SIZE)
    const [put] = await cluster.json<{ link: string }>(['put', src, '--mesh', host.url], { timeout: 300_000 })
    const out = join(dir, 'copy.bin')
    const blocks = Math.ceil(SIZE / MiB)
    // Increasing kill points, each well inside the file.
    const points = Array.from({ length: RUNS }, () => random.between(5, 90)).sort((a, b) => a - b)
    let killed = 0
    for (const percent of points) {
      const target = Math.max(await recordedBlocks(dir) + 1, Math.floor(blocks * percent / 100))
      if (await killAt(['get', put!.link, '-o', out], async () => await recordedBlocks(dir), target)) killed++
      expect(existsSync(out)).toBe(false)
    }
    expect(killed).toBeGreaterThan(0)
    const before = await recordedBlocks(dir)
    const [got] = await cluster.json<{ resumedBytes: number, size: number }>(['get', put!.link, '-o', out], { timeout: 300_000 })
    console.log(`get resume: ${got!.resumedBytes} of ${SIZE} bytes reused after ${killed} kills (${before} blocks recorded)`)
    expect(got!.resumedBytes).toBeGreaterThan(0)
    expect(got!.resumedBytes).toBe(Math.min(SIZE, before * MiB))
    expect(await sha256File(out)).toBe(digest)
    expect(readdirSync(dir).sort()).toEqual(['copy.bin', 'src.bin'])
  }, 600_000)

  it('detects a tampered part file and fetches that block again; --no-resume starts afresh', async () => {
    const host = await cluster.startHost(['--replicas', '1'])
    const dir = await cluster.tempDir()
    const src = join(dir, 'src.bin')
    const size = 32 * MiB + 123
    const digest = await randomFile(src, size)
    const [put] = await cluster.json<{ link: string }>(['put', src, '--mesh', host.url])
    const out = join(dir, 'copy.bin')
    // A part file as an interrupted get leaves it: some blocks written and recorded.
    await killAt(['get', put!.link, '-o', out], async () => await recordedBlocks(dir), 8)
    const recorded = await recordedBlocks(dir)
    expect(recorded).toBeGreaterThanOrEqual(8)
    expect(recorded).toBeLessThan(33)
    const part = join(dir, readdirSync(dir).find(n => n.endsWith('.cairn-part'))!)
    const bytes = await readFile(part)
    bytes.writeUInt8(bytes.readUInt8(3 * MiB + 4242) ^ 0x40, 3 * MiB + 4242) // inside block 3, which is recorded
    await writeFile(part, bytes)
    const [got] = await cluster.json<{ resumedBytes: number }>(['get', put!.link, '-o', out])
    console.log(`get resume after tampering: ${got!.resumedBytes} bytes reused (${recorded} blocks recorded, 1 tampered)`)
    expect(got!.resumedBytes).toBe((recorded - 1) * MiB)
    expect(await sha256File(out)).toBe(digest)

    await killAt(['get', put!.link, '-o', join(dir, 'again.bin')], async () => await recordedBlocks(dir), 4)
    const [fresh] = await cluster.json<{ resumedBytes: number }>(['get', put!.link, '-o', join(dir, 'again.bin'), '--no-resume'])
    expect(fresh!.resumedBytes).toBe(0)
    expect(await sha256File(join(dir, 'again.bin'))).toBe(digest)
    expect(readdirSync(dir).filter(n => n.includes('cairn-part'))).toEqual([])
  }, 300_000)
})

/** The put journal in the state dir (at most one in these tests), as header and block ids. */
async function journal (): Promise<{ key: string, ids: number } | undefined> {
  const dir = join(stateDir, 'put')
  const name = existsSync(dir) ? readdirSync(dir).find(n => n.endsWith('.journal')) : undefined
  if (name === undefined) return undefined
  const bytes = await readFile(join(dir, name)).catch(() => undefined)
  if (bytes === undefined) return undefined
  const newline = bytes.indexOf(0x0a)
  const header = JSON.parse(bytes.subarray(0, newline).toString('utf8')) as { key: string }
  return { key: header.key, ids: Math.floor((bytes.length - newline - 1) / 36) }
}

describe('put resumes', () => {
  it(`killed with SIGKILL at ${RUNS} seeded random points of a ${SIZE / MiB} MiB put, the same command sends only the rest and prints the same link`, async () => {
    const random = seededRandom('put kill points')
    const host = await cluster.startHost(['--replicas', '1'])
    const dir = await cluster.tempDir()
    const src = join(dir, 'src.bin')
    const digest = await randomFile(src, SIZE)
    const blocks = Math.ceil(SIZE / MiB)
    const points = Array.from({ length: RUNS }, () => random.between(5, 90)).sort((a, b) => a - b)
    let killed = 0
    let key: string | undefined
    for (const percent of points) {
      const target = Math.max(((await journal())?.ids ?? 0) + 1, Math.floor(blocks * percent / 100))
      if (await killAt(['put', src, '--mesh', host.url], async () => (await journal())?.ids ?? 0, target)) killed++
      const now = await journal()
      expect(now).toBeDefined()
      // Every attempt of the same file keeps the first attempt's key.
      key ??= now!.key
      expect(now!.key).toBe(key)
    }
    expect(killed).toBeGreaterThan(0)
    const status = async (): Promise<number> => (await cluster.json<{ blocks: number }>(['status', '--mesh', host.url]))[0]!.blocks
    const before = await status()
    const [put] = await cluster.json<{ link: string, resumedBytes: number, replicas: number }>(['put', src, '--mesh', host.url], { timeout: 300_000 })
    console.log(`put resume: ${put!.resumedBytes} of ${SIZE} bytes not sent again after ${killed} kills (${before} blocks already at the host)`)
    expect(put!.resumedBytes).toBeGreaterThan(0)
    expect(put!.resumedBytes).toBeLessThanOrEqual(before * MiB)
    expect(put!.replicas).toBe(1)
    // The key of the first attempt: the link it would have printed.
    expect(put!.link.endsWith(`.${key!}`)).toBe(true)
    expect(await journal()).toBeUndefined()
    // Identical blocks: the host holds the file once (content blocks + root), not once per attempt.
    expect(await status()).toBe(paddedBlockCount(SIZE) + 1)
    const out = join(dir, 'copy.bin')
    await cluster.json(['get', put!.link, '-o', out], { timeout: 300_000 })
    expect(await sha256File(out)).toBe(digest)
  }, 600_000)

  it('never reuses the key of a file that changed: another mtime starts afresh, same size and mtime with other bytes stops', async () => {
    const host = await cluster.startHost(['--replicas', '1'])
    const dir = await cluster.tempDir()
    const src = join(dir, 'src.bin')
    await randomFile(src, 24 * MiB)
    // Whole seconds: restored exactly after the edit below.
    const mtime = new Date(1_700_000_000_000)
    await utimes(src, mtime, mtime)
    await killAt(['put', src, '--mesh', host.url], async () => (await journal())?.ids ?? 0, 4)
    const first = await journal()
    expect(first!.ids).toBeGreaterThanOrEqual(4)
    // Other bytes, same size and mtime: the put refuses before sending a block sealed with the old key.
    const bytes = await readFile(src)
    bytes.writeUInt8(bytes.readUInt8(100) ^ 1, 100)
    await writeFile(src, bytes)
    await utimes(src, mtime, mtime)
    const changed = await cluster.cli(['put', src, '--mesh', host.url])
    expect(changed.code, changed.stderr + changed.stdout.toString()).toBe(7)
    expect(changed.stderr).toMatch(/^cairn: .*src\.bin changed since the interrupted put/)
    expect(await journal()).toBeUndefined()
    const [fresh] = await cluster.json<{ link: string, resumedBytes: number }>(['put', src, '--mesh', host.url])
    expect(fresh!.resumedBytes).toBe(0)
    expect(fresh!.link.endsWith(`.${first!.key}`)).toBe(false)
    // Another mtime: another journal, a fresh key.
    await killAt(['put', src, '--mesh', host.url], async () => (await journal())?.ids ?? 0, 4)
    const second = await journal()
    await utimes(src, mtime, new Date(mtime.getTime() + 5000))
    const [touched] = await cluster.json<{ link: string, resumedBytes: number }>(['put', src, '--mesh', host.url])
    expect(touched!.resumedBytes).toBe(0)
    expect(touched!.link.endsWith(`.${second!.key}`)).toBe(false)
  }, 300_000)
})

describe('a stalled get recovers by itself', () => {
  it('uses a host again that was killed and restarted mid-get', async () => {
    const first = await cluster.startHost(['--replicas', '1'])
    const dir = await cluster.tempDir()
    const src = join(dir, 'src.bin')
    const digest = await randomFile(src, 64 * MiB)
    const [put] = await cluster.json<{ link: string }>(['put', src, '--mesh', first.url])
    const out = join(dir, 'copy.bin')
    const { child, exited } = start(['get', put!.link, '-o', out, '--timeout', '60'])
    try {
      await waitFor('a quarter of the file', async () => await recordedBlocks(dir) >= 16 ? true : undefined, { interval: 10 })
      await cluster.kill(first)
      await new Promise(resolve => setTimeout(resolve, 1500))
      await cluster.startHost(['--replicas', '1', '--port', String(first.port)], { data: first.data })
      expect(await exited).toEqual({ code: 0, signal: null })
      expect(await sha256File(out)).toBe(digest)
    } finally {
      child.kill('SIGKILL')
    }
  }, 300_000)

  it('gives up with exit 5 once peers stay silent for --timeout, keeping the part file', async () => {
    const host = await cluster.startHost(['--replicas', '1'])
    const dir = await cluster.tempDir()
    const src = join(dir, 'src.bin')
    await randomFile(src, 64 * MiB)
    const [put] = await cluster.json<{ link: string }>(['put', src, '--mesh', host.url])
    const out = join(dir, 'copy.bin')
    const got = cluster.cli(['get', put!.link, '-o', out, '--timeout', '3'])
    await waitFor('some blocks', async () => await recordedBlocks(dir) >= 8 ? true : undefined, { interval: 10 })
    const stopped = Date.now()
    await cluster.kill(host)
    const result = await got
    const waited = Date.now() - stopped
    expect(result.code, result.stderr).toBe(5)
    expect(result.stderr).toMatch(/^cairn: no peer delivered anything for 3 s \(--timeout\)/)
    // The 3 s count from the last block delivered, which on a loaded machine can come
    // well before `stopped` (seen: 1.9 s after it); the message above names the path.
    expect(waited).toBeGreaterThan(1_000)
    expect(waited).toBeLessThan(30_000)
    expect(existsSync(out)).toBe(false)
    expect(await recordedBlocks(dir)).toBeGreaterThanOrEqual(8)
    expect((await stat(join(dir, readdirSync(dir).find(n => n.endsWith('.cairn-part'))!))).size).toBe(64 * MiB)
  }, 120_000)
})
