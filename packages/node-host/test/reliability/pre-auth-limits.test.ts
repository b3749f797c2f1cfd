/**
 * Issue 10 item 5 — memory and sockets before authentication, at a real host
 * process over real TCP. Attackers connect from other loopback addresses
 * (127.0.x.y) so they look like other machines; the honest CLI comes from
 * 127.0.0.1.
 *
 * - A frame header over the pre-auth cap closes the socket at once (1009),
 *   before its payload is buffered.
 * - One address gets at most `DEFAULT_MAX_PRE_AUTH_PER_ADDRESS` waiting
 *   sockets; the rest are refused with 429, and other addresses still get in.
 * - 1,000 silent sockets at once from 20 addresses: at most
 *   `DEFAULT_MAX_PRE_AUTH_SOCKETS` stay open, the rest are refused or
 *   evicted. Then 1,000 agents that reconnect whenever dropped (half stream a
 *   1 MiB frame, half say hello and fall silent): an honest `cairn put` +
 *   `cairn get` works while they go on, and over both phases the host's RSS
 *   grows by less than 100 MiB.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateIdentity } from '@cairn/core'
import { encodeMessage, PROTOCOL_VERSION } from '@cairn/core/wire'
import { DEFAULT_MAX_PRE_AUTH_PER_ADDRESS, DEFAULT_MAX_PRE_AUTH_SOCKETS } from '../../src/transport/websocket.js'
import { Cluster, type HostProcess } from '../harness.js'
import { honestRoundTrip as honest } from './support/honest.js'
import { memoryOf } from './support/proc.js'
import { OP, RawWebSocket, type Closed } from './support/raw-ws.js'

const MiB = 1024 * 1024
const HOSTILE = 1_000
const ATTACKERS = 20
const GROWTH_BOUND = 100 * MiB

/** Hellos of one identity, each with a fresh nonce (a repeated one is refused at once as a replay). */
async function helloMaker (): Promise<() => Uint8Array> {
  const identity = await generateIdentity()
  return () => encodeMessage({ t: 'hello', version: PROTOCOL_VERSION, peerId: identity.peerId, publicKey: identity.publicKey, role: 'client', nonce: crypto.getRandomValues(new Uint8Array(32)), addrs: [] })
}

async function closedWithin (ws: RawWebSocket, ms: number): Promise<Closed> {
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    return await Promise.race([ws.closed, new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => { reject(new Error(`socket still open after ${ms} ms`)) }, ms)
    })])
  } finally {
    clearTimeout(timer)
    ws.destroy()
  }
}

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

/**
 * `count` hostile agents, agent i on 127.0.0.(2 + i mod `addresses`). Even
 * agents claim a 1 MiB frame and stream all of it but the last byte (a host
 * that buffers pre-auth frames holds 1 MiB for them); odd agents send a hello
 * and say nothing more. Each reconnects 2 s after its socket is gone (or
 * refused) until `stop()`.
 */
class Flood {
  attempts = 0
  refused = 0
  open = 0
  maxOpen = 0
  readonly started: Promise<void>
  private stopped = false
  private readonly stopping: Promise<void>
  private stop_: () => void = () => {}
  private readonly agents: Array<Promise<void>>

  constructor (port: number, count: number, addresses: number, hello: () => Uint8Array) {
    this.stopping = new Promise(resolve => { this.stop_ = resolve })
    const chunk = Buffer.alloc(64 * 1024, 0x5a)
    let first = 0
    let allStarted: () => void = () => {}
    this.started = new Promise(resolve => { allStarted = resolve })
    const attempted = (): void => { if (++first === count) allStarted() }
    this.agents = Array.from({ length: count }, async (_, i) => {
      const localAddress = `127.0.0.${2 + (i % addresses)}`
      for (let round = 0; !this.stopped; round++) {
        this.attempts++
        let ws: RawWebSocket
        try {
          ws = await RawWebSocket.open(port, { localAddress })
        } catch {
          this.refused++
          if (round === 0) attempted()
          await Promise.race([sleep(2_000), this.stopping])
          continue
        }
        if (round === 0) attempted()
        this.maxOpen = Math.max(this.maxOpen, ++this.open)
        if (i % 2 === 0) {
          ws.frame(OP.binary, new Uint8Array(0), { length: MiB })
          for (let sent = 0; sent < MiB - 1 && !ws.isClosed; sent += chunk.length) {
            ws.write(sent + chunk.length >= MiB ? chunk.subarray(0, MiB - 1 - sent) : chunk)
          }
        } else {
          ws.frame(OP.binary, hello())
        }
        await Promise.race([ws.closed, this.stopping])
        this.open--
        ws.destroy()
        await Promise.race([sleep(2_000), this.stopping])
      }
    })
  }

  async stop (): Promise<void> {
    this.stopped = true
    this.stop_()
    await Promise.all(this.agents)
  }
}

describe('before authentication', () => {
  const cluster = new Cluster()
  let host: HostProcess
  let hello: () => Uint8Array
  const figures: string[] = []

  beforeAll(async () => {
    host = await cluster.startHost()
    hello = await helloMaker()
  }, 60_000)

  afterAll(async () => {
    console.log(`pre-auth limits: ${figures.join('; ')}`)
    await cluster.cleanup()
  })

  const honestRoundTrip = async (name: string): Promise<void> => { await honest(cluster, host, name) }

  it('a frame header over the pre-auth cap closes the socket with 1009 before its payload arrives', async () => {
    const ws = await RawWebSocket.open(host.port, { localAddress: '127.0.1.1' })
    // Claims 64 KiB (well under the mesh's frame limit), sends 1 KiB of it.
    ws.frame(OP.binary, new Uint8Array(1024), { length: 64 * 1024 })
    const closed = await closedWithin(ws, 3_000)
    expect(closed.code).toBe(1009)
    figures.push(`a 64 KiB pre-auth frame header: closed 1009 after ${Math.round(closed.ms)} ms`)
  })

  it(`caps waiting sockets per address at ${DEFAULT_MAX_PRE_AUTH_PER_ADDRESS}: the rest are refused with 429; another address still gets in`, async () => {
    const tries = await Promise.allSettled(Array.from({ length: 100 }, async () => await RawWebSocket.open(host.port, { localAddress: '127.0.2.1' })))
    const open = tries.flatMap(t => t.status === 'fulfilled' ? [t.value] : [])
    try {
      const refused = tries.flatMap(t => t.status === 'rejected' ? [String(t.reason)] : [])
      expect(open).toHaveLength(DEFAULT_MAX_PRE_AUTH_PER_ADDRESS)
      expect(refused).toHaveLength(100 - DEFAULT_MAX_PRE_AUTH_PER_ADDRESS)
      for (const why of refused) expect(why).toMatch(/429 Too Many Requests/)
      const other = await RawWebSocket.open(host.port, { localAddress: '127.0.2.2' })
      other.frame(OP.binary, hello())
      await expect.poll(() => other.messages[0]?.t).toBe('hello')
      other.destroy()
      figures.push(`100 sockets from one address: ${open.length} upgraded, ${refused.length} refused 429`)
    } finally {
      for (const ws of open) ws.destroy()
    }
  })

  it(`1,000 hostile sockets: at most ${DEFAULT_MAX_PRE_AUTH_SOCKETS} wait at once, RSS grows < 100 MiB, an honest put/get works meanwhile`, async () => {
    const quiet = performance.now()
    await honestRoundTrip('warm-up')
    const quietMs = performance.now() - quiet
    const before = await memoryOf(host.pid)
    let peak = before.rss
    const sampler = setInterval(() => { memoryOf(host.pid).then(m => { peak = Math.max(peak, m.rss) }, () => {}) }, 100)
    let honestMs = 0
    let flood: Flood | undefined
    try {
      // 1. 1,000 sockets at once from 20 addresses, each saying hello and then nothing (they would
      // wait 10 s for the handshake timeout). Once every attempt got its answer and evictions had
      // a second to arrive, at most the cap is still open: the rest were refused or evicted.
      const attempts = await Promise.allSettled(Array.from({ length: HOSTILE }, async (_, i) => {
        const ws = await RawWebSocket.open(host.port, { localAddress: `127.0.0.${2 + (i % ATTACKERS)}` })
        ws.frame(OP.binary, hello())
        return ws
      }))
      await sleep(1_000)
      const upgraded = attempts.flatMap(a => a.status === 'fulfilled' ? [a.value] : [])
      const stillOpen = upgraded.filter(ws => !ws.isClosed).length
      figures.push(`1,000 silent sockets at once: ${upgraded.length} upgraded, ${HOSTILE - upgraded.length} refused, ${stillOpen} still open after 1 s`)
      expect(stillOpen).toBeLessThanOrEqual(DEFAULT_MAX_PRE_AUTH_SOCKETS)
      expect(stillOpen).toBeGreaterThan(0)

      // 2. Then 1,000 agents that reconnect whenever dropped, half streaming 1 MiB frames;
      // an honest client from 127.0.0.1 puts and gets a file meanwhile.
      flood = new Flood(host.port, HOSTILE, ATTACKERS, hello)
      await flood.started
      const started = performance.now()
      await honestRoundTrip('under-attack')
      honestMs = performance.now() - started
      // The flood was going around the honest client: every agent had made its first attempt and
      // none had been stopped. (Whether its sockets are open, held for their turn or refused while
      // the honest round trip runs depends on timing, so that is not asserted here; step 1 and
      // the RSS bound below check what the host holds.)
      expect(flood.attempts).toBeGreaterThanOrEqual(HOSTILE)
      for (const ws of upgraded) ws.destroy()
    } finally {
      await flood?.stop()
      clearInterval(sampler)
    }
    if (flood === undefined) throw new Error('the flood never started')
    const after = await memoryOf(host.pid)
    peak = Math.max(peak, after.rss)
    figures.push(`then a reconnecting flood of 1,000 (${flood.attempts} attempts, ${flood.refused} refused, at most ~${flood.maxOpen} open at once as counted by the attackers): ` +
      `RSS ${Math.round(before.rss / 1024)} MiB before, peak ${Math.round(peak / 1024)} MiB, ${Math.round(after.rss / 1024)} MiB after; ` +
      `honest put+get of 2 MiB took ${Math.round(honestMs)} ms (${Math.round(quietMs)} ms without the flood)`)
    expect(flood.attempts).toBeGreaterThanOrEqual(HOSTILE)
    expect((peak - before.rss) * 1024).toBeLessThan(GROWTH_BOUND)
    expect((after.rss - before.rss) * 1024).toBeLessThan(GROWTH_BOUND)
    expect(host.child.exitCode).toBeNull()
  }, 180_000)
})
