/**
 * The `cairn` CLI as a user meets it: a local host found through ./.cairn,
 * the listening line, clean shutdown, the web page on the same port, and one
 * clear line plus a distinct exit code for each expected failure.
 */
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { blockId, formatLink } from '@cairn/core'
import { afterEach, describe, expect, it } from 'vitest'
import { CLI, Cluster, closedPort, randomFile, sha256File, waitFor, type CliResult } from './harness.js'

const cluster = new Cluster()
afterEach(async () => { await cluster.cleanup() })

/** Exactly one `cairn: …` line on stderr, nothing on stdout, the given exit code. */
function expectFailure (result: CliResult, code: number, reason: RegExp): void {
  expect(result.stdout.toString()).toBe('')
  expect(result.stderr).toMatch(/^cairn: [^\n]+\n$/)
  expect(result.stderr).toMatch(reason)
  expect(result.code).toBe(code)
}

async function someLink (): Promise<string> {
  return formatLink(await blockId(new Uint8Array([1, 2, 3])), new Uint8Array(16).fill(7))
}

describe('cairn host', () => {
  it('prints exactly one JSON line when listening, serves the web page and /mesh on one port, and shuts down cleanly', async () => {
    const host = await cluster.startHost()
    expect(host).toMatchObject({ event: 'listening', port: expect.any(Number), peerId: expect.any(String) })
    expect(host.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${host.port}/#join=[A-Za-z0-9_-]{22}$`))
    expect(host.port).toBeGreaterThan(0)
    const page = await fetch(`${host.origin}/`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(existsSync(join(host.data, 'host.json'))).toBe(true)
    host.child.kill('SIGTERM')
    expect(await host.exited).toEqual({ code: 0, signal: null })
    expect(existsSync(join(host.data, 'host.json'))).toBe(false)
    expect(existsSync(join(host.data, 'identity'))).toBe(true)
  })

  it('keeps its identity and token across restarts and refuses a second host on the same data dir', async () => {
    const first = await cluster.startHost()
    const second = await cluster.cli(['host', '--port', '0', '--data', first.data])
    expectFailure(second, 2, /another host \(pid \d+\) is using data dir/)
    const samePort = await cluster.cli(['host', '--port', String(first.port), '--data', await cluster.tempDir()])
    expectFailure(samePort, 2, /cannot listen on 127\.0\.0\.1:\d+: address in use/)
    first.child.kill('SIGINT')
    expect((await first.exited).code).toBe(0)
    const again = await cluster.startHost([], { data: first.data })
    expect(again.peerId).toBe(first.peerId)
    expect(again.url.split('#')[1]).toBe(first.url.split('#')[1])
  })

  it('rejects bad flag values with a usage error', async () => {
    const data = await cluster.tempDir()
    const host = async (...args: string[]): Promise<CliResult> =>
      await cluster.cli(['host', '--port', '0', '--data', data, ...args], { timeout: 15_000 })
    expectFailure(await host('--max-storage', '10XB'), 2, /10XB/)
    expectFailure(await host('--port', '70000'), 2, /--port/)
    expectFailure(await host('--replicas', '0'), 2, /--replicas/)
    expectFailure(await host('--token', 't', '--open'), 2, /cannot be used with/)
    expectFailure(await host('--peer', 'tcp://x:1'), 2, /invalid peer address/)
    expectFailure(await host('--ice-server', 'http://stun.example.org'), 2, /--ice-server http:\/\/stun\.example\.org: expected stun:HOST/)
    expectFailure(await host('--ice-server', 'turn:turn.example.org'), 2, /TURN server needs credentials/)
    expectFailure(await cluster.cli(['frobnicate']), 2, /unknown command/)
  })

  it('documents the exit codes in --help', async () => {
    const help = await cluster.cli(['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout.toString()).toMatch(/Exit codes:[\s\S]*4 {2}refused by the mesh/)
  })
})

describe('clients against the local host (no --mesh)', () => {
  it('put, get and status just work from the directory the host runs in', async () => {
    const cwd = await cluster.tempDir('cairn-cwd-')
    const host = await cluster.startHost([], { data: 'default', cwd })
    const file = join(cwd, 'hello.txt')
    await writeFile(file, 'hello, cairn\n')
    const put = await cluster.cli(['put', 'hello.txt'], { cwd })
    expect(put.code).toBe(0)
    const link = put.stdout.toString().trim()
    expect(link.startsWith(`${host.origin}/#join=`)).toBe(true)
    const got = await cluster.cli(['get', link], { cwd })
    expect(got.code).toBe(0)
    expect(got.stdout.toString()).toBe('hello, cairn\n')
    const plain = link.split('&file=')[1]!
    // hello.txt is already there (the source): only --force replaces it.
    const saved = await cluster.json<{ path: string, name: string, size: number }>(['get', plain, '-o', cwd, '--force'], { cwd })
    expect(saved).toEqual([{ path: join(cwd, 'hello.txt'), name: 'hello.txt', size: 13, root: plain.split('.')[0], resumedBytes: 0 }])
    const status = await cluster.cli(['status'], { cwd })
    expect(status.code).toBe(0)
    expect(status.stdout.toString()).toContain(host.peerId)
    expect(status.stdout.toString()).toMatch(/^background fails {2}0$/m)
  })

  it('leaves no partial file behind when a get fails', async () => {
    const host = await cluster.startHost()
    const dir = await cluster.tempDir()
    const src = join(dir, 'src.bin')
    const digest = await randomFile(src, 3 * 1024 * 1024 + 5)
    const [put] = await cluster.json<{ link: string }>(['put', src, '--mesh', host.url])
    const ok = await cluster.cli(['get', put!.link, '-o', join(dir, 'copy.bin')])
    expect(ok.code).toBe(0)
    expect(await sha256File(join(dir, 'copy.bin'))).toBe(digest)
    const missing = await cluster.cli(['get', await someLink(), '--mesh', host.url, '-o', join(dir, 'nothing.bin')])
    expect(missing.code).toBe(5)
    expect(existsSync(join(dir, 'nothing.bin'))).toBe(false)
    expect(readdirSync(dir).filter(n => n.includes('cairn-part'))).toEqual([])
  })
})

describe('get -o DIR never overwrites silently', () => {
  it('refuses (exit 7) a file of the adder\'s chosen name already in DIR, leaving it untouched; --force replaces it', async () => {
    const host = await cluster.startHost()
    const src = join(await cluster.tempDir(), 'report.txt')
    await writeFile(src, 'from the mesh\n')
    const [put] = await cluster.json<{ link: string }>(['put', src, '--mesh', host.url])
    const dir = await cluster.tempDir()
    const mine = join(dir, 'report.txt')
    await writeFile(mine, 'my own report\n')
    expectFailure(await cluster.cli(['get', put!.link, '-o', dir]), 7, /report\.txt already exists.*--force/)
    expect(await readFile(mine, 'utf8')).toBe('my own report\n')
    expect(readdirSync(dir)).toEqual(['report.txt'])
    const forced = await cluster.cli(['get', put!.link, '-o', dir, '--force', '--json'])
    expect(forced.code, forced.stderr).toBe(0)
    expect(JSON.parse(forced.stdout.toString())).toMatchObject({ path: mine, name: 'report.txt' })
    expect(await readFile(mine, 'utf8')).toBe('from the mesh\n')
    expect(readdirSync(dir)).toEqual(['report.txt'])
  })
})

describe('get -o DEVICE', () => {
  it('writes to a device in place and, with --json, still prints the one result line (the bench reads it)', async () => {
    const host = await cluster.startHost()
    const src = join(await cluster.tempDir(), 'dev.bin')
    await randomFile(src, 2 * 1024 * 1024 + 3)
    const [put] = await cluster.json<{ link: string }>(['put', src, '--mesh', host.url])
    const got = await cluster.cli(['get', put!.link, '--mesh', host.url, '-o', '/dev/null', '--json'])
    expect(got.code, got.stderr).toBe(0)
    expect(JSON.parse(got.stdout.toString())).toMatchObject({ path: '/dev/null', name: 'dev.bin', size: 2 * 1024 * 1024 + 3, resumedBytes: 0 })
  })
})

describe('interrupted and failed transfers', () => {
  it('Ctrl-C during get exits 130 and keeps the part file, never a partial file under the final name; the same get resumes', async () => {
    const host = await cluster.startHost(['--replicas', '1'])
    const dir = await cluster.tempDir()
    const src = join(dir, 'big.bin')
    const digest = await randomFile(src, 48 * 1024 * 1024)
    const [put] = await cluster.json<{ link: string }>(['put', src, '--mesh', host.url])
    const child = spawn(process.execPath, [CLI, 'get', put!.link, '-o', join(dir, 'copy.bin')], { stdio: 'ignore' })
    const exited = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)))
    try {
      const partial = await waitFor('the partial file', async () => readdirSync(dir).find(n => n.endsWith('.cairn-part')), { interval: 5 })
      child.kill('SIGINT')
      const code = await exited
      // A get that finished before the signal landed is fine too; it must never leave a partial file under the final name.
      expect([0, 130]).toContain(code)
      expect(readdirSync(dir).includes('copy.bin')).toBe(code === 0)
      expect(readdirSync(dir).includes(partial)).toBe(code === 130)
      await cluster.json(['get', put!.link, '-o', join(dir, 'copy.bin')])
      expect(await sha256File(join(dir, 'copy.bin'))).toBe(digest)
      expect(readdirSync(dir).filter(n => n.includes('cairn-part'))).toEqual([])
    } finally {
      child.kill('SIGKILL')
    }
  })

  it('a put that cannot reach W copies exits 6', async () => {
    const host = await cluster.startHost(['--no-store'])
    const file = join(await cluster.tempDir(), 'f')
    await writeFile(file, 'x')
    expectFailure(await cluster.cli(['put', file, '--mesh', host.url]), 6, /required copies/)
    const [status] = await cluster.json<{ blocks: number, backgroundFailures: unknown }>(['status', '--mesh', host.url])
    expect(status!.blocks).toBe(0)
    // The failed put was the client's to see, not a background failure of the host.
    expect(status!.backgroundFailures).toEqual({ repair: 0, restore: 0, cache: 0, send: 0, serve: 0, address: 0, audit: 0, gc: 0 })
  })
})

describe('one-line errors with distinct exit codes', () => {
  it('bad link: 2', async () => {
    expectFailure(await cluster.cli(['get', 'not-a-link']), 2, /^cairn: link/)
    expectFailure(await cluster.cli(['get', 'http://127.0.0.1:1/#join=x&file=bafkreiabc.key']), 2, /link/)
  })

  it('unreachable mesh: 3', async () => {
    const port = await closedPort()
    const mesh = `http://127.0.0.1:${port}/#join=token`
    expectFailure(await cluster.cli(['status', '--mesh', mesh]), 3, /cannot reach the mesh at http:\/\/127\.0\.0\.1:\d+/)
    expectFailure(await cluster.cli(['get', await someLink(), '--mesh', mesh]), 3, /cannot reach/)
    const file = join(await cluster.tempDir(), 'f')
    await writeFile(file, 'x')
    expectFailure(await cluster.cli(['put', file, '--mesh', mesh]), 3, /cannot reach/)
  })

  it('no local host running: 3', async () => {
    const cwd = await cluster.tempDir()
    expectFailure(await cluster.cli(['status'], { cwd }), 3, /no host running/)
  })

  it('wrong token: 4, for every client command', async () => {
    const host = await cluster.startHost()
    const wrong = `${host.origin}/#join=wrong-token`
    const file = join(await cluster.tempDir(), 'f')
    await writeFile(file, 'x')
    expectFailure(await cluster.cli(['status', '--mesh', wrong]), 4, /wrong join token/)
    expectFailure(await cluster.cli(['put', file, '--mesh', wrong]), 4, /wrong join token/)
    expectFailure(await cluster.cli(['get', await someLink(), '--mesh', wrong]), 4, /wrong join token/)
    // A URL without #join= to a mesh that has a token: say so rather than "wrong token". A fresh
    // host: three wrong tokens from this address already slow it down on the first (issue 10).
    const other = await cluster.startHost()
    const open = await cluster.cli(['status', '--mesh', other.origin])
    expectFailure(open, 4, /refused the connection: the URL has no join token/)
    expectFailure(await cluster.cli(['status', '--mesh', `${other.origin}/`]), 4, /the URL has no join token \(add #join=TOKEN/)
  })

  it('missing file: 7, before connecting anywhere', async () => {
    const cwd = await cluster.tempDir()
    expectFailure(await cluster.cli(['put', 'does-not-exist.bin'], { cwd }), 7, /no such file: does-not-exist\.bin/)
    // A directory is a folder now (folder.test.ts); a device is neither.
    expectFailure(await cluster.cli(['put', '/dev/null'], { cwd }), 7, /not a regular file or directory: \/dev\/null/)
    expectFailure(await cluster.cli(['get', await someLink(), '-o', join(cwd, 'no', 'such', 'dir')]), 7, /no such directory/)
  })
})

describe('first-run rough edges', () => {
  const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version

  it('--version prints the version; bare `cairn` prints help on stdout and exits 0', async () => {
    for (const flag of ['--version', '-V']) {
      const shown = await cluster.cli([flag])
      expect(shown).toMatchObject({ code: 0, stderr: '' })
      expect(shown.stdout.toString()).toBe(`${version}\n`)
    }
    const bare = await cluster.cli([])
    expect(bare.code).toBe(0)
    expect(bare.stderr).toBe('')
    expect(bare.stdout.toString()).toMatch(/^Usage: cairn /)
    expect(bare.stdout.toString()).toMatch(/Exit codes:/)
  })

  it('a text that is not a link says so and shows what a link looks like', async () => {
    const result = await cluster.cli(['get', 'not a link at all'])
    expectFailure(result, 2, /^cairn: link 'not a link at all' is not a Cairn link/)
    expect(result.stderr).toMatch(/ROOT\.KEY or http:\/\/HOST:PORT\/#join=TOKEN&file=ROOT\.KEY/)
    expect(result.stderr).not.toMatch(/contains whitespace/)
  })

  it('an output path nobody can create a file in is named in words, before any network work', async () => {
    // No host runs: the output is checked first, so this is 7 (not 3).
    const cwd = await cluster.tempDir()
    const result = await cluster.cli(['get', await someLink(), '-o', '/proc/foo'], { cwd })
    expectFailure(result, 7, /^cairn: cannot write \/proc\/foo: cannot create files in \/proc$/m)
    expect(result.stderr).not.toMatch(/ENOENT/)
  })

  it('status does not count the CLI itself as a peer', async () => {
    const host = await cluster.startHost()
    const [status] = await cluster.json<{ peers: unknown[] }>(['status', '--mesh', host.url])
    expect(status!.peers).toEqual([])
    const human = await cluster.cli(['status', '--mesh', host.url])
    expect(human.code).toBe(0)
    expect(human.stdout.toString()).toMatch(/^peers +0 \(0 hosts, 0 tabs\)$/m)
  })

  it('the host log names the role and peer on connect and on disconnect alike', async () => {
    const a = await cluster.startHost([], { human: true })
    const b = await cluster.startHost(['--peer', a.peerUrl])
    await a.waitForStderr(`host connected: ${b.peerId}`)
    await cluster.kill(b)
    await a.waitForStderr(`host disconnected: ${b.peerId}`)
    expect(a.stderr()).not.toMatch(/^disconnected:/m)
  })
})
