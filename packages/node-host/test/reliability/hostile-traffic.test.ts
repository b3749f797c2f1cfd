/**
 * Issue item 7 — hostile traffic at a real host's `/mesh`. Hand-written
 * WebSocket clients send what no real client would: garbage, frames far over
 * the limit, fragment floods, text frames, unknown message types (before and
 * after authentication), floods before authentication, and sockets that say
 * nothing. Each attacking connection must be closed; afterwards the host is
 * still up, its resident memory has grown by less than MEMORY_BOUND, and an
 * honest `cairn put` + `cairn get` works.
 */
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { encode } from 'cborg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateIdentity } from '@cairn/core'
import { MAX_FRAME_SIZE, MAX_PRE_AUTH_FRAME, encodeMessage } from '@cairn/core/wire'
import { DEFAULT_HANDSHAKE_TIMEOUT } from '@cairn/core/mesh'
import type { Message } from '@cairn/core/wire'
import { DEFAULT_CLOSE_TIMEOUT } from '../../src/transport/websocket.js'
import { Cluster, type HostProcess } from '../harness.js'
import { honestRoundTrip as honest } from './support/honest.js'
import { memoryOf } from './support/proc.js'
import { drain, rawAuthenticated } from './support/mesh.js'
import { OP, RawWebSocket, encodeFrame, type Closed } from './support/raw-ws.js'

const MiB = 1024 * 1024
/** Allowed growth of the host's RSS over the whole attack. */
const MEMORY_BOUND = 64 * MiB
/** An attacking connection must be closed this fast. */
const CLOSE_BOUND = 5_000
/** A silent socket: the handshake timeout, then the close handshake's timeout, plus slack. */
const SILENT_BOUND = DEFAULT_HANDSHAKE_TIMEOUT + DEFAULT_CLOSE_TIMEOUT + CLOSE_BOUND

describe('hostile traffic at /mesh', () => {
  const cluster = new Cluster()
  let host: HostProcess
  let before: { rss: number, hwm: number }
  let peak = 0
  let sampler: ReturnType<typeof setInterval> | undefined
  let silent: Array<Promise<Closed>> = []
  const figures: string[] = []

  /** Open `count` raw sockets, `batch` at a time; `attack` writes to each. */
  async function attackWith (count: number, attack: (ws: RawWebSocket, i: number) => void, batch = 50): Promise<Array<{ ws: RawWebSocket, closed: Closed }>> {
    const results = []
    for (let done = 0; done < count; done += batch) {
      const group = await Promise.all(Array.from({ length: Math.min(batch, count - done) }, async (_, i) => {
        const ws = await RawWebSocket.open(host.port)
        attack(ws, done + i)
        return ws
      }))
      results.push(...await Promise.all(group.map(async ws => ({ ws, closed: await within(ws) }))))
    }
    return results
  }

  async function within (ws: RawWebSocket, ms = CLOSE_BOUND): Promise<Closed> {
    let timer: ReturnType<typeof setTimeout> | undefined
    try {
      return await Promise.race([ws.closed, new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => { ws.destroy(); reject(new Error(`host kept an attacking socket open for ${ms} ms`)) }, ms)
      })])
    } finally {
      clearTimeout(timer)
    }
  }

  const lastError = (messages: Array<Message | undefined>): Message | undefined => messages.filter(m => m?.t === 'error').at(-1)

  const honestRoundTrip = async (name: string): Promise<void> => { await honest(cluster, host, name) }

  beforeAll(async () => {
    host = await cluster.startHost()
    await honestRoundTrip('warm-up')
    before = await memoryOf(host.pid)
    sampler = setInterval(() => { memoryOf(host.pid).then(m => { peak = Math.max(peak, m.rss) }, () => {}) }, 100)
    // Silent sockets: upgraded, then never a byte. Checked at the end.
    // They do not even answer the host's close frame: it drops them DEFAULT_CLOSE_TIMEOUT later.
    // 25 from each of four other loopback addresses: a host takes at most 64 unauthenticated sockets from one.
    const quiet = await Promise.all(Array.from({ length: 100 }, async (_, i) => await RawWebSocket.open(host.port, { echoClose: false, localAddress: `127.0.0.${2 + (i % 4)}` })))
    silent = quiet.map(async ws => await within(ws, SILENT_BOUND))
    silent.forEach(p => { p.catch(() => {}) })
  }, 60_000)

  afterAll(async () => {
    clearInterval(sampler)
    console.log(`hostile-traffic: ${figures.join('; ')}`)
    await cluster.cleanup()
  })

  it('garbage before the handshake: refused with a handshake error and closed', async () => {
    const results = await attackWith(200, ws => { ws.frame(OP.binary, randomBytes(1 + (randomBytes(2).readUInt16BE() % MAX_PRE_AUTH_FRAME))) })
    for (const { ws } of results) {
      expect(ws.messages[0]).toMatchObject({ t: 'hello' })
      expect(lastError(ws.messages)).toMatchObject({ code: 'ERR_HANDSHAKE', message: expect.stringMatching(/^(malformed|unexpected-frame)$/) })
    }
    figures.push(`200 garbage frames closed (slowest ${Math.round(Math.max(...results.map(r => r.closed.ms)))} ms)`)
  })

  it('frames far over the limit: closed with 1009 as soon as the header arrives, or refused before auth', async () => {
    const lying = await attackWith(50, ws => { ws.frame(OP.binary, randomBytes(64 * 1024), { length: 2 ** 40 }) })
    for (const { closed } of lying) expect(closed.code).toBe(1009)
    const real = await attackWith(4, ws => { ws.frame(OP.binary, randomBytes(MAX_FRAME_SIZE + 1)) }, 4)
    for (const { closed } of real) expect(closed.code).toBe(1009)
    const preAuth = await attackWith(20, ws => { ws.frame(OP.binary, randomBytes(MAX_PRE_AUTH_FRAME + 1)) })
    for (const { ws } of preAuth) expect(lastError(ws.messages)).toMatchObject({ code: 'ERR_HANDSHAKE', message: 'frame-too-large' })
    figures.push('50 frames claiming 1 TiB and 4 of MAX_FRAME_SIZE+1 closed with 1009; 20 pre-auth frames of 4 KiB+1 refused')
  })

  it('fragment floods and text frames: closed with 1008 and 1003', async () => {
    const flood = await attackWith(20, ws => {
      const parts = [Buffer.from([0x02, 0x81, 0, 0, 0, 0, 0])]
      for (let i = 0; i < 1100; i++) parts.push(Buffer.from([0x00, 0x81, 0, 0, 0, 0, 0]))
      ws.write(Buffer.concat(parts))
    })
    for (const { closed } of flood) expect(closed.code).toBe(1008)
    const text = await attackWith(20, ws => { ws.frame(OP.text, Buffer.from('{"t":"hello"}')) })
    for (const { closed } of text) expect(closed.code).toBe(1003)
    figures.push('20 floods of 1,101 fragments closed with 1008; 20 text frames with 1003')
  })

  it('unknown message types: refused before auth; after auth, error replies then a disconnect', async () => {
    const pre = await attackWith(20, ws => { ws.frame(OP.binary, encode({ t: 'bogus', id: 1 })) })
    for (const { ws } of pre) expect(lastError(ws.messages)).toMatchObject({ code: 'ERR_HANDSHAKE', message: 'unexpected-frame' })

    const raw = await rawAuthenticated(host.url, { role: 'client' })
    for (let i = 1; i <= 3; i++) await raw.conn.send(encode({ t: `unknown-${i}`, id: i }))
    const { frames, ended } = await drain(raw, CLOSE_BOUND)
    expect(ended).toBe(true)
    // Each unknown frame is answered (the third reply may race the disconnect notice), the third strike disconnects.
    const codes = frames.filter(f => f.t === 'error').map(f => (f as { code: string }).code)
    expect(codes.filter(c => c === 'ERR_UNKNOWN_MESSAGE').length).toBeGreaterThanOrEqual(2)
    expect(codes).toContain('ERR_PROTOCOL')
    expect(codes.every(c => c === 'ERR_UNKNOWN_MESSAGE' || c === 'ERR_PROTOCOL')).toBe(true)
    figures.push('20 pre-auth unknown types refused; 3 post-auth unknown types answered ERR_UNKNOWN_MESSAGE, then disconnected')
  })

  it('floods before authentication: 200 connections pipelining 100 frames each, and one pipelining 20,000, all closed', async () => {
    const identity = await generateIdentity()
    const hello = encodeMessage({ t: 'hello', version: 1, peerId: identity.peerId, publicKey: identity.publicKey, role: 'client', nonce: new Uint8Array(32), addrs: [] })
    const many = await attackWith(200, ws => {
      for (let i = 0; i < 100; i++) ws.frame(OP.binary, i === 0 ? randomBytes(200) : hello)
    })
    expect(many.every(r => r.ws.messages[0]?.t === 'hello')).toBe(true)
    const [one] = await attackWith(1, ws => {
      const frames = [encodeFrame(OP.binary, hello, true, hello.length)]
      for (let i = 0; i < 20_000; i++) {
        const want = encodeMessage({ t: 'want', id: i + 1, cid: new Uint8Array([1, 0x55, 0x12, 0x20, ...randomBytes(32)]) })
        frames.push(encodeFrame(OP.binary, want, true, want.length))
      }
      ws.write(Buffer.concat(frames))
    })
    expect(lastError(one!.ws.messages)).toMatchObject({ code: 'ERR_HANDSHAKE' })
    // Nothing but the host's hello, maybe its auth, and the verdict: no reply to any `want`.
    expect(one!.ws.messages.every(m => m?.t === 'hello' || m?.t === 'auth' || m?.t === 'error')).toBe(true)
    figures.push('200 connections x 100 pre-auth frames and 1 x 20,001 closed')
  })

  it('a ping flood from a socket that never reads its pongs: terminated', async () => {
    const ws = await RawWebSocket.open(host.port, { echoClose: false })
    ws.socket.pause()
    const batch = Buffer.concat(Array.from({ length: 1000 }, () => encodeFrame(OP.ping, new Uint8Array(125), true, 125)))
    let sent = 0
    while (!ws.isClosed && sent < 500_000) {
      sent += 1000
      if (!ws.write(batch)) await Promise.race([once(ws.socket, 'drain').catch(() => {}), ws.closed])
    }
    await within(ws)
    expect(sent).toBeLessThan(500_000)
    figures.push(`a ping flood was cut off after ${sent} pings`)
  })

  it(`silent sockets: closed by the handshake timeout (${DEFAULT_HANDSHAKE_TIMEOUT} ms) and the close timeout (${DEFAULT_CLOSE_TIMEOUT} ms)`, async () => {
    const closed = await Promise.all(silent)
    for (const c of closed) expect(c.ms).toBeGreaterThanOrEqual(DEFAULT_HANDSHAKE_TIMEOUT - 1_000)
    figures.push(`100 silent sockets closed after ${Math.round(Math.min(...closed.map(c => c.ms)))}–${Math.round(Math.max(...closed.map(c => c.ms)))} ms`)
  }, SILENT_BOUND + CLOSE_BOUND)

  it('afterwards: the host is up, its memory bounded, and honest clients work', async () => {
    expect(host.child.exitCode).toBeNull()
    expect(host.child.signalCode).toBeNull()
    await honestRoundTrip('after')
    const [status] = await cluster.json<{ peers: unknown[] }>(['status', '--mesh', host.url])
    expect(status!.peers.length).toBeLessThanOrEqual(1)
    const after = await memoryOf(host.pid)
    peak = Math.max(peak, after.rss)
    const grown = (after.rss - before.rss) * 1024
    const peakGrown = (Math.max(peak, after.hwm) - before.rss) * 1024
    figures.push(`RSS ${Math.round(before.rss / 1024)} MiB before, ${Math.round(after.rss / 1024)} MiB after, peak ${Math.round(Math.max(peak, after.hwm) / 1024)} MiB`)
    expect(grown).toBeLessThan(MEMORY_BOUND)
    expect(peakGrown).toBeLessThan(2 * MEMORY_BOUND)
  }, 60_000)
})
