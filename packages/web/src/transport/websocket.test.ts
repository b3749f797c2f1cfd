/**
 * The browser WebSocket's send side against a fake socket that drains at a
 * fixed rate on a fake clock: how often a sender wakes up to look at
 * `bufferedAmount`, whether it keeps the socket busy, and that closing wakes it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { BrowserWebSocketConnection } from './websocket.js'
import type { DrainClock } from './buffer-drain.js'

const KiB = 1024
const MiB = 1024 * KiB

/** Time that moves only when a sender sleeps; counts the sleeps (timer wakeups). */
class FakeClock implements DrainClock {
  time = 0
  sleeps = 0
  now = (): number => this.time
  sleep = async (ms: number): Promise<void> => {
    this.sleeps++
    this.time += ms
  }
}

/** The parts of `WebSocket` the connection uses; sends at `rate` bytes per ms of the fake clock. */
class FakeWebSocket extends EventTarget {
  static readonly CONNECTING = 0
  static readonly OPEN = 1
  readonly url = 'ws://127.0.0.1:1/mesh'
  readyState = FakeWebSocket.OPEN
  sent = 0
  /** Times a send found the socket idle (nothing buffered) after the first. */
  idleSends = 0
  private queued = 0
  private at = 0

  constructor (private readonly now: () => number, private readonly rate: number) { super() }

  get bufferedAmount (): number {
    const now = this.now()
    this.queued = Math.max(0, this.queued - (now - this.at) * this.rate)
    this.at = now
    return this.queued
  }

  send (frame: Uint8Array): void {
    if (this.sent > 0 && this.bufferedAmount === 0) this.idleSends++
    this.queued = this.bufferedAmount + frame.length
    this.sent += frame.length
  }

  close (): void {
    this.readyState = 3
  }
}

afterEach(() => { vi.unstubAllGlobals() })

function connection (clock: DrainClock, rate: number): { conn: BrowserWebSocketConnection, ws: FakeWebSocket } {
  vi.stubGlobal('WebSocket', FakeWebSocket)
  const ws = new FakeWebSocket(clock.now, rate)
  const conn = new BrowserWebSocketConnection(ws as unknown as WebSocket, { highWaterMark: 4 * MiB, drainClock: clock })
  return { conn, ws }
}

describe('BrowserWebSocketConnection send', () => {
  it('waits for a full buffer with a few timed sleeps, not a 2 ms poll, and keeps the socket busy', async () => {
    const clock = new FakeClock()
    const rate = 50 * MiB / 1000 // 50 MiB/s, in bytes per ms
    const { conn, ws } = connection(clock, rate)
    const frame = new Uint8Array(512 * KiB)
    const total = 64 * MiB
    for (let sent = 0; sent < total; sent += frame.length) await conn.send(frame)
    expect(ws.sent).toBe(total)
    // The last send returns with 2 to 4 MiB still buffered: at most this long if the socket never idles.
    const ideal = (total - 2 * MiB) / rate
    const pollingSleeps = Math.ceil(ideal / 2) // what the 2 ms poll took
    console.log(`64 MiB at 50 MiB/s through a 4 MiB buffer: ${clock.sleeps} sleeps (a 2 ms poll: ~${pollingSleeps}), ${Math.round(clock.time)} ms (ideal ${Math.round(ideal)} ms)`)
    expect(clock.sleeps).toBeLessThan(pollingSleeps / 10)
    expect(clock.time).toBeLessThanOrEqual(ideal + 50)
    expect(ws.idleSends, 'the socket never ran dry while the sender waited').toBe(0)
  })

  it('adapts to a slower socket and still sleeps little', async () => {
    const clock = new FakeClock()
    const rate = 1 * MiB / 1000 // 1 MiB/s
    const { conn, ws } = connection(clock, rate)
    const frame = new Uint8Array(256 * KiB)
    for (let i = 0; i < 48; i++) await conn.send(frame)
    expect(ws.sent).toBe(12 * MiB)
    const ideal = (12 * MiB - 2 * MiB) / rate
    // Each pause is capped at 50 ms, so a slow socket costs about one sleep per 50 ms.
    console.log(`12 MiB at 1 MiB/s: ${clock.sleeps} sleeps (a 2 ms poll: ~${Math.ceil(ideal / 2)}), ${Math.round(clock.time)} ms (ideal ${Math.round(ideal)} ms)`)
    expect(clock.sleeps).toBeLessThanOrEqual(Math.ceil(ideal / 50 * 1.25))
    expect(clock.time).toBeLessThanOrEqual(ideal + 50)
    expect(ws.idleSends, 'the socket never ran dry while the sender waited').toBe(0)
  })

  it('sends at once while the buffer is under the high-water mark', async () => {
    const clock = new FakeClock()
    const { conn, ws } = connection(clock, 0)
    for (let i = 0; i < 7; i++) await conn.send(new Uint8Array(512 * KiB))
    expect(ws.sent).toBe(7 * 512 * KiB)
    expect(clock.sleeps).toBe(0)
  })

  it('wakes a waiting sender with ConnectionClosedError when the connection closes', async () => {
    let sleeping = 0
    const stuck: DrainClock = {
      now: () => 0,
      sleep: async (_ms, signal) => {
        sleeping++
        await new Promise<void>(resolve => { signal.addEventListener('abort', () => { resolve() }, { once: true }) })
      }
    }
    const { conn } = connection(stuck, 0)
    const big = new Uint8Array(512 * KiB)
    for (let i = 0; i < 8; i++) await conn.send(big)
    const blocked = conn.send(big)
    await vi.waitFor(() => { expect(sleeping).toBe(1) })
    conn.close()
    await expect(blocked).rejects.toMatchObject({ code: 'ERR_CONNECTION_CLOSED' })
  })
})
