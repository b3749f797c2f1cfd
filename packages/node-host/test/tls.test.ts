/**
 * Hosts with `--tls-cert/--tls-key`, as real processes on 127.0.0.1 with
 * certificates made at test time by `openssl`: two hosts peered over wss://
 * move a file byte-identical; certificates that do not verify are refused
 * (exit 3, one line naming the problem) by clients and by dialing hosts; a
 * SIGHUP swaps the certificate for new connections while open ones go on.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { copyFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect as netConnect, type Socket } from 'node:net'
import { connect } from 'node:tls'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { WebSocketTransport } from '../src/transport/websocket.js'
import { Cluster, randomFile, sha256File, waitFor, type HostProcess } from './harness.js'
import { fingerprint, leafCert, selfSignedCert, testCa, type CertFiles } from './support/test-certs.mjs'

const MiB = 1024 * 1024

interface Status { peerId: string, peers: Array<{ peerId: string, role: string, addrs?: string[] }> }

let dir: string
let ca: CertFiles
/** Signed by `ca`, for 127.0.0.1 and localhost; ECDSA P-256 and RSA 2048. */
let ecLeaf: CertFiles
let rsaLeaf: CertFiles
let trustCa: NodeJS.ProcessEnv

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-tls-'))
  ca = testCa(dir)
  ecLeaf = leafCert(dir, ca, { name: 'ec', names: ['127.0.0.1', 'localhost'] })
  rsaLeaf = leafCert(dir, ca, { name: 'rsa', names: ['127.0.0.1', 'localhost'], keyType: 'rsa' })
  trustCa = { NODE_EXTRA_CA_CERTS: ca.cert }
})
afterAll(() => { rmSync(dir, { recursive: true, force: true }) })

const cluster = new Cluster()
afterEach(async () => { await cluster.cleanup() })

const tlsArgs = (cert: CertFiles): string[] => ['--tls-cert', cert.cert, '--tls-key', cert.key]

async function status (host: HostProcess, env: NodeJS.ProcessEnv = trustCa): Promise<Status> {
  return (await cluster.json<Status>(['status', '--mesh', host.url], { env }))[0]!
}

async function waitPeered (a: HostProcess, b: HostProcess): Promise<void> {
  await waitFor(`${a.peerId} to see ${b.peerId}`, async () => (await status(a)).peers.some(p => p.peerId === b.peerId && p.role === 'host') ? true : undefined)
}

/** The SHA-256 fingerprint of the certificate a new TLS connection to `port` is served. */
async function servedFingerprint (port: number): Promise<string> {
  return await new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false }, () => {
      const value = socket.getPeerCertificate().fingerprint256
      socket.end()
      resolve(value)
    })
    socket.once('error', reject)
  })
}

/** The last stderr line of a failed command: there must be exactly one. */
function oneLine (stderr: string): string {
  const lines = stderr.trim().split('\n')
  expect(lines).toHaveLength(1)
  return lines[0]!
}

describe('hosts over TLS', () => {
  it('two hosts peered over wss:// (ECDSA and RSA certificates): put via one, get via the other byte-identical', async () => {
    const a = await cluster.startHost(tlsArgs(ecLeaf), { env: trustCa })
    expect(a.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/#join=/)
    expect(a.tls).toBe(true)
    const b = await cluster.startHost([...tlsArgs(rsaLeaf), '--peer', a.peerUrl], { env: trustCa })
    await waitPeered(a, b)
    await waitPeered(b, a)
    // Each advertises its wss:// address, and the mesh connection between them is wss://.
    const seenByA = (await status(a)).peers.find(p => p.peerId === b.peerId)
    expect(seenByA?.addrs).toContain(`wss://127.0.0.1:${b.port}/mesh`)

    const work = await cluster.tempDir('cairn-tls-files-')
    const source = join(work, 'source.bin')
    const digest = await randomFile(source, 3 * MiB + 12345)
    const [put] = await cluster.json<{ link: string, replicas: number }>(['put', source, '--mesh', a.url, '--replicas', '2'], { env: trustCa })
    expect(put!.link).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/#join=.*&file=/)
    expect(put!.replicas).toBe(2)
    const out = join(work, 'copy.bin')
    const got = await cluster.cli(['get', put!.link, '--mesh', b.url, '-o', out], { env: trustCa })
    expect(got.stderr).toBe('')
    expect(got.code).toBe(0)
    expect(await sha256File(out)).toBe(digest)
    // The link's own https:// origin works too (no --mesh).
    const again = join(work, 'again.bin')
    expect((await cluster.cli(['get', put!.link, '-o', again], { env: trustCa })).code).toBe(0)
    expect(await sha256File(again)).toBe(digest)
  })

  it('a client refuses a certificate it cannot verify: exit 3 and one line naming the problem', async () => {
    const self = selfSignedCert(dir, { name: 'untrusted', names: ['127.0.0.1'] })
    const host = await cluster.startHost(tlsArgs(self))
    const untrusted = await cluster.cli(['status', '--mesh', host.url])
    expect(untrusted.code).toBe(3)
    expect(oneLine(untrusted.stderr)).toMatch(/^cairn: the TLS certificate of 127\.0\.0\.1:\d+ is self-signed and not trusted; .*NODE_EXTRA_CA_CERTS \[DEPTH_ZERO_SELF_SIGNED_CERT\]$/)

    const otherCa = await cluster.cli(['put', join(dir, 'ca.crt'), '--mesh', host.url], { env: trustCa })
    expect(otherCa.code).toBe(3)
    expect(oneLine(otherCa.stderr)).toMatch(/self-signed and not trusted/)

    // Trusting the self-signed certificate itself works, as for any Node program.
    expect((await status(host, { NODE_EXTRA_CA_CERTS: self.cert })).peerId).toBe(host.peerId)
    // But only for the names it holds.
    const wrongName = await cluster.cli(['status', '--mesh', host.url.replace('127.0.0.1', 'localhost')], { env: { NODE_EXTRA_CA_CERTS: self.cert } })
    expect(wrongName.code).toBe(3)
    expect(oneLine(wrongName.stderr)).toMatch(/^cairn: the TLS certificate of localhost:\d+ is not for localhost \(it names IP Address:127\.0\.0\.1\)/)

    const chainUntrusted = await cluster.startHost(tlsArgs(ecLeaf))
    const noCa = await cluster.cli(['status', '--mesh', chainUntrusted.url])
    expect(noCa.code).toBe(3)
    expect(oneLine(noCa.stderr)).toMatch(/signed by a CA that is not trusted.*\[UNABLE_TO_VERIFY_LEAF_SIGNATURE\]$/)
  })

  it('a host whose --peer presents an untrusted certificate exits 3 saying why', async () => {
    const self = selfSignedCert(dir, { name: 'peer-untrusted', names: ['127.0.0.1'] })
    const target = await cluster.startHost(tlsArgs(self))
    for (const args of [['--peer', target.peerUrl], [...tlsArgs(ecLeaf), '--peer', `wss://127.0.0.1:${target.port}`]]) {
      const dialer = await cluster.startHost(args, { env: trustCa })
      const { code } = await dialer.exited
      expect(code).toBe(3)
      expect(oneLine(dialer.stderr())).toMatch(new RegExp(`^cairn: cannot peer with wss://127\\.0\\.0\\.1:${target.port}/mesh: the TLS certificate of 127\\.0\\.0\\.1:${target.port} is self-signed and not trusted`))
    }
  })

  it('a TLS host refuses plain ws:// to another machine (no downgrade)', async () => {
    // The policy itself first: these checks guard the spawn below, which must never dial out.
    const strict = new WebSocketTransport({ secureOnly: true })
    expect(strict.canDial('ws://192.0.2.1:4001')).toBe(false)
    expect(strict.canDial('ws://[2001:db8::1]:4001')).toBe(false)
    await expect(strict.dial('ws://192.0.2.1:4001')).rejects.toThrow(/no downgrade/)
    for (const loopback of ['ws://127.0.0.1:1', 'ws://localhost:1', 'ws://[::1]:1', 'ws://[::ffff:127.0.0.1]:1', 'wss://192.0.2.1:4001']) {
      expect(strict.canDial(loopback)).toBe(true)
    }
    expect(new WebSocketTransport().canDial('ws://192.0.2.1:4001')).toBe(true)
    const result = await cluster.cli(['host', '--port', '0', '--data', join(await cluster.tempDir(), 'd'), ...tlsArgs(ecLeaf), '--peer', 'ws://192.0.2.1:4001'])
    expect(result.code).toBe(2)
    expect(oneLine(result.stderr)).toMatch(/--peer ws:\/\/192\.0\.2\.1:4001\/mesh: a host with TLS does not dial plain ws:\/\/ to other machines/)
  })

  it('its port answers plain http with a redirect to https://, and tells a plain ws:// client to use wss://', async () => {
    const host = await cluster.startHost(tlsArgs(ecLeaf), { env: trustCa })
    const res = await fetch(`http://127.0.0.1:${host.port}/some/page?x=1`, { redirect: 'manual' })
    expect(res.status).toBe(307)
    expect(res.headers.get('location')).toBe(`https://127.0.0.1:${host.port}/some/page?x=1`)
    const plain = await cluster.cli(['status', '--mesh', host.url.replace('https:', 'http:')], { env: trustCa })
    expect(plain.code).toBe(3)
    expect(oneLine(plain.stderr)).toMatch(/cannot connect to ws:\/\/127\.0\.0\.1:\d+\/mesh: HTTP 426: the host runs with TLS; dial wss:\/\//)
    // And the same port still serves the app over https.
    expect((await status(host)).peerId).toBe(host.peerId)
  })

  it('closes a socket that sends nothing, or stalls in the TLS handshake, on a TLS port', async () => {
    const { openWebServer } = await import('../src/host/web-server.js')
    const root = await cluster.tempDir('cairn-tls-root-')
    const web = await openWebServer(root, 0, '127.0.0.1', { idleTimeout: 300, tls: { cert: readFileSync(ecLeaf.cert), key: readFileSync(ecLeaf.key) } })
    try {
      const silent = netConnect(web.port, '127.0.0.1')
      // A TLS record header that promises more bytes than ever come.
      const stalled = netConnect(web.port, '127.0.0.1', () => { stalled.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01])) })
      const closed = async (socket: Socket): Promise<void> => { await new Promise(resolve => socket.once('close', resolve)) }
      const outcome = await Promise.race([
        Promise.all([closed(silent), closed(stalled)]).then(() => 'closed'),
        new Promise(resolve => setTimeout(() => { resolve('still open') }, 15_000))
      ])
      silent.destroy()
      stalled.destroy()
      expect(outcome).toBe('closed')
    } finally {
      await web.close()
    }
  })

  it('reloads its certificate on SIGHUP: open connections go on, new ones get the new certificate', async () => {
    const live = { cert: join(dir, 'live.crt'), key: join(dir, 'live.key') }
    await copyFile(ecLeaf.cert, live.cert)
    await copyFile(ecLeaf.key, live.key)
    const a = await cluster.startHost(tlsArgs(live), { env: trustCa })
    const b = await cluster.startHost(['--peer', a.peerUrl], { env: trustCa })
    await waitPeered(a, b)
    expect(await servedFingerprint(a.port)).toBe(fingerprint(ecLeaf.cert))

    // A raw wss:// connection opened before the reload.
    const ws = new WebSocket(`wss://127.0.0.1:${a.port}/mesh`, { ca: [readFileSync(ca.cert)] })
    ws.on('error', () => {})
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject) })

    // A bad pair is refused and the old certificate stays.
    await writeFile(live.key, 'not a key')
    a.child.kill('SIGHUP')
    await a.waitForStderr('TLS reload failed', 10_000)
    expect(await servedFingerprint(a.port)).toBe(fingerprint(ecLeaf.cert))

    const renewed = leafCert(dir, ca, { name: 'renewed', names: ['127.0.0.1', 'localhost'] })
    await copyFile(renewed.cert, live.cert)
    await copyFile(renewed.key, live.key)
    a.child.kill('SIGHUP')
    await waitFor('new connections to get the renewed certificate', async () => (await servedFingerprint(a.port)) === fingerprint(renewed.cert) ? true : undefined, { timeout: 10_000 })
    expect(a.stderr()).toMatch(/reloaded TLS certificate for localhost, 127\.0\.0\.1, valid until /)

    // The connection from before still works (a ping is answered) and the peer never dropped.
    expect(ws.readyState).toBe(WebSocket.OPEN)
    const pong = new Promise(resolve => ws.once('pong', resolve))
    ws.ping()
    await pong
    ws.terminate()
    expect(b.stderr()).not.toMatch(/lost peer/)
    expect(a.child.exitCode).toBeNull()

    // New clients (trusting the CA) reach it under the renewed certificate, and the mesh still moves data.
    const work = await cluster.tempDir('cairn-tls-files-')
    const source = join(work, 'after.bin')
    const digest = await randomFile(source, 256 * 1024)
    const [put] = await cluster.json<{ link: string }>(['put', source, '--mesh', a.url], { env: trustCa })
    const out = join(work, 'out.bin')
    expect((await cluster.cli(['get', put!.link, '--mesh', b.url, '-o', out], { env: trustCa })).code).toBe(0)
    expect(await sha256File(out)).toBe(digest)
  })
})
