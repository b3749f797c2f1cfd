import { request } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { MAX_FRAME_SIZE } from '@cairn/core/wire'
import type { Connection } from '@cairn/core'
import { connectionSuite } from '@cairn/core/testing'
import type { ConnectionCasesInit } from '@cairn/core/testing'
import { startTestServer, socketPair } from '../../test/support/websocket-server.js'
import type { TestServer } from '../../test/support/websocket-server.js'
import { DEFAULT_MAX_FRAGMENTS, PRE_AUTH_MAX_PAYLOAD, WebSocketTransport, meshUrl } from './websocket.js'

const servers: TestServer[] = []
const rawSockets: WebSocket[] = []
afterEach(async () => {
  for (const ws of rawSockets.splice(0)) ws.terminate()
  await Promise.all(servers.splice(0).map(async s => s.close()))
})

async function server (init?: Parameters<typeof startTestServer>[0], options?: Parameters<typeof startTestServer>[1]): Promise<TestServer> {
  const s = await startTestServer(init, options)
  servers.push(s)
  return s
}

/**
 * What a writer may get accepted while its reader reads nothing: the receive
 * queue (16 × 64 KiB), the send high-water mark (1 MiB), and the kernel's
 * socket buffers, which on Linux loopback hold up to tcp_wmem max (4 MiB by
 * default) plus the receive window. Measured: about 7 MiB. Real-socket
 * stalls are detected as 10 consecutive 10 ms polls without progress.
 */
const socketCases: ConnectionCasesInit = {
  maxUnreadBytes: 12 * 1024 * 1024,
  backpressureFrames: 400,
  stall: { pollMs: 10, quietPolls: 10 }
}

connectionSuite('WebSocket connection (client dials server)', async () => socketPair(await server()), socketCases)
connectionSuite('WebSocket connection (server end writes)', async () => {
  const [client, accepted] = await socketPair(await server())
  return [accepted, client]
}, socketCases)

async function rawClient (url: string): Promise<WebSocket> {
  const ws = new WebSocket(url, { perMessageDeflate: false })
  rawSockets.push(ws)
  ws.on('error', () => {})
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject) })
  return ws
}

async function closeCode (ws: WebSocket): Promise<number> {
  return new Promise(resolve => { ws.once('close', code => { resolve(code) }) })
}

async function readAll (conn: Connection): Promise<number> {
  let n = 0
  for await (const _ of conn) n++
  return n
}

describe('mesh endpoint', () => {
  it('answers 404 to upgrades on any other path', async () => {
    const s = await server()
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request({
        host: '127.0.0.1',
        port: s.port,
        path: '/other',
        headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' }
      })
      req.on('response', res => { res.resume(); resolve(res.statusCode) })
      req.on('upgrade', () => { reject(new Error('upgraded')) })
      req.on('error', reject)
      req.end()
    })
    expect(status).toBe(404)
    await expect(new WebSocketTransport().dial(`ws://127.0.0.1:${s.port}/other`)).rejects.toMatchObject({ code: 'ERR_UNAVAILABLE' })
    expect(s.accepted).toHaveLength(0)
  })

  it('closes a connection that sends a frame over maxPayload (1009)', async () => {
    const s = await server()
    const ws = await rawClient(`ws://127.0.0.1:${s.port}/mesh`)
    const conn = await s.nextConnection()
    const code = closeCode(ws)
    ws.send(new Uint8Array(MAX_FRAME_SIZE + 1))
    expect(await code).toBe(1009)
    expect(await readAll(conn)).toBe(0)
    await conn.closed
  })

  it('accepts a frame of exactly maxFrameSize from a plain ws client', async () => {
    const s = await server()
    const ws = await rawClient(`ws://127.0.0.1:${s.port}/mesh`)
    const conn = await s.nextConnection()
    ws.send(new Uint8Array(MAX_FRAME_SIZE).fill(5))
    const first = await conn[Symbol.asyncIterator]().next()
    expect(first.value?.length).toBe(MAX_FRAME_SIZE)
    expect(Buffer.isBuffer(first.value)).toBe(false)
  })

  it(`takes frames of at most ${PRE_AUTH_MAX_PAYLOAD} bytes until authenticated(), then up to maxFrameSize`, async () => {
    const s = await server(undefined, { authenticate: false })
    const ws = await rawClient(`ws://127.0.0.1:${s.port}/mesh`)
    const conn = await s.nextConnection()
    const frames = conn[Symbol.asyncIterator]()
    ws.send(new Uint8Array(PRE_AUTH_MAX_PAYLOAD).fill(1))
    expect((await frames.next()).value?.length).toBe(PRE_AUTH_MAX_PAYLOAD)
    conn.authenticated?.()
    ws.send(new Uint8Array(MAX_FRAME_SIZE).fill(2))
    expect((await frames.next()).value?.length).toBe(MAX_FRAME_SIZE)

    const early = await rawClient(`ws://127.0.0.1:${s.port}/mesh`)
    const unauthenticated = await s.nextConnection()
    const code = closeCode(early)
    early.send(new Uint8Array(PRE_AUTH_MAX_PAYLOAD + 1))
    expect(await code).toBe(1009)
    expect(await readAll(unauthenticated)).toBe(0)
  })

  it('closes a connection that sends a text frame (1003)', async () => {
    const s = await server()
    const ws = await rawClient(`ws://127.0.0.1:${s.port}/mesh`)
    const conn = await s.nextConnection()
    const code = closeCode(ws)
    ws.send('hello')
    expect(await code).toBe(1003)
    expect(await readAll(conn)).toBe(0)
    await conn.closed
  })

  it(`closes a connection that splits a message into more than ${DEFAULT_MAX_FRAGMENTS} fragments (1008)`, async () => {
    const s = await server()
    const ws = await rawClient(`ws://127.0.0.1:${s.port}/mesh`)
    const conn = await s.nextConnection()
    const code = closeCode(ws)
    for (let i = 0; i <= DEFAULT_MAX_FRAGMENTS; i++) ws.send(new Uint8Array(1), { binary: true, fin: false })
    ws.send(new Uint8Array(1), { binary: true, fin: true })
    expect(await code).toBe(1008)
    await conn.closed
  })

  it('close() ends every mesh connection', async () => {
    const s = await server()
    const [client, accepted] = await socketPair(s)
    const reading = readAll(client)
    await s.endpoint.close()
    expect(await reading).toBe(0)
    await Promise.all([client.closed, accepted.closed])
    await expect(client.send(new Uint8Array(1))).rejects.toMatchObject({ code: 'ERR_CONNECTION_CLOSED' })
  })
})

describe('WebSocketTransport', () => {
  it('dials ws:// and wss:// addresses, implying /mesh', () => {
    const t = new WebSocketTransport()
    expect(t.canDial('ws://127.0.0.1:4001')).toBe(true)
    expect(t.canDial('wss://example.org/mesh')).toBe(true)
    expect(t.canDial('http://127.0.0.1:4001/#join=x')).toBe(false)
    expect(t.canDial('memory://a')).toBe(false)
    expect(t.canDial('not a url')).toBe(false)
    expect(meshUrl('ws://127.0.0.1:4001')).toBe('ws://127.0.0.1:4001/mesh')
    expect(meshUrl('ws://h:1/')).toBe('ws://h:1/mesh')
    expect(meshUrl('ws://h:1/custom#x')).toBe('ws://h:1/custom')
  })

  it('reports the remote address and transport name', async () => {
    const s = await server()
    const [client, accepted] = await socketPair(s)
    expect(client.transport).toBe('websocket')
    expect(client.remoteAddress).toBe(`ws://127.0.0.1:${s.port}/mesh`)
    expect(accepted.remoteAddress).toMatch(/^127\.0\.0\.1:\d+$/)
    client.close()
    await Promise.all([client.closed, accepted.closed])
  })

  it('fails with UnavailableError when nothing listens', async () => {
    const s = await server()
    const port = s.port
    await s.close()
    servers.splice(servers.indexOf(s), 1)
    await expect(new WebSocketTransport().dial(`ws://127.0.0.1:${port}`)).rejects.toMatchObject({ code: 'ERR_UNAVAILABLE' })
  })

  it('fails with AbortError when the signal aborts', async () => {
    const s = await server()
    await expect(new WebSocketTransport().dial(`ws://127.0.0.1:${s.port}`, { signal: AbortSignal.abort() }))
      .rejects.toMatchObject({ code: 'ERR_ABORTED' })
    const controller = new AbortController()
    const dialing = new WebSocketTransport().dial(`ws://127.0.0.1:${s.port}`, { signal: controller.signal })
    controller.abort()
    await expect(dialing).rejects.toMatchObject({ code: 'ERR_ABORTED' })
  })

  it('fails with TimeoutError when the upgrade never completes', async () => {
    const s = await server()
    const held: Array<{ destroy: () => void }> = []
    s.server.removeAllListeners('upgrade')
    s.server.on('upgrade', (_req, socket) => { held.push(socket) })
    try {
      await expect(new WebSocketTransport({ dialTimeout: 50 }).dial(`ws://127.0.0.1:${s.port}`))
        .rejects.toMatchObject({ code: 'ERR_TIMEOUT' })
    } finally {
      for (const socket of held) socket.destroy()
    }
  })
})
