/**
 * The `Connection` compliance suite, free of any test framework so it runs
 * under vitest (`connectionSuite` in `testing/vitest.ts`) and in a browser
 * page alike. `factory` returns a fresh connected pair; each case closes it.
 */
import { bytesEqual, equal, ok, rejectsWithCode } from '../testing/assert.js'
import { waitForStall } from '../testing/stall.js'
import type { StallInit } from '../testing/stall.js'
import type { TestCase } from '../store/suite.js'
import type { Connection } from './connection.js'

export type ConnectionFactory = () => Promise<[Connection, Connection]>

export interface ConnectionCasesInit {
  /**
   * Most bytes a writer may get accepted while its reader reads nothing: the
   * adapter's documented buffering (receive queue, send high-water mark and,
   * for sockets, kernel buffers). Default 4 MiB.
   */
  maxUnreadBytes?: number
  /** Frames the backpressure cases try to send (default 200). */
  backpressureFrames?: number
  /** How to tell that the writer has stalled (see `waitForStall`). */
  stall?: StallInit
}

const BACKPRESSURE_FRAME = 64 * 1024

/** Frame `i` of a numbered stream: a 4-byte index, then a fill. */
function numbered (i: number, size: number): Uint8Array {
  const frame = new Uint8Array(size).fill((i * 31 + 7) & 0xff)
  if (size >= 4) new DataView(frame.buffer).setUint32(0, i)
  return frame
}

async function readFrames (conn: Connection, count: number): Promise<Uint8Array[]> {
  const out: Uint8Array[] = []
  if (count === 0) return out
  for await (const frame of conn) {
    out.push(frame)
    if (out.length === count) break
  }
  return out
}

async function readToEnd (conn: Connection): Promise<Uint8Array[]> {
  const out: Uint8Array[] = []
  for await (const frame of conn) out.push(frame)
  return out
}

async function sendAll (conn: Connection, frames: Uint8Array[]): Promise<void> {
  for (const frame of frames) await conn.send(frame)
}

function sampleFrames (max: number): Uint8Array[] {
  // Only sizes the connection carries: WebRTC's limit is 64 KiB.
  const sizes = [0, 1, 2, 100, 1000, 65_535, 65_536, 65_537, max - 1, max, 0, 3].filter(size => size <= max)
  return sizes.map((size, i) => numbered(i, size))
}

/** A writer that sends numbered frames one after another and counts accepted sends. */
function startWriter (conn: Connection, count: number): { sent: () => number, done: Promise<unknown> } {
  let sent = 0
  const done = (async () => {
    for (let i = 0; i < count; i++) {
      await conn.send(numbered(i, BACKPRESSURE_FRAME))
      sent++
    }
  })()
  done.catch(() => {})
  return { sent: () => sent, done }
}

export function connectionCases (factory: ConnectionFactory, init: ConnectionCasesInit = {}): TestCase[] {
  const maxUnread = init.maxUnreadBytes ?? 4 * 1024 * 1024
  const total = init.backpressureFrames ?? 200
  const withPair = (name: string, body: (a: Connection, b: Connection) => Promise<void>): TestCase => ({
    name,
    fn: async () => {
      const [a, b] = await factory()
      try {
        await body(a, b)
      } finally {
        a.close()
        b.close()
        await Promise.all([a.closed, b.closed])
      }
    }
  })

  /** Start a writer, let it run into backpressure, check it stalled within bounds. */
  const stallWriter = async (a: Connection): Promise<{ sent: () => number, done: Promise<unknown> }> => {
    const writer = startWriter(a, total)
    const stalledAt = await waitForStall(writer.sent, init.stall)
    ok(stalledAt < total, `writer never stalled: all ${total} frames were accepted while the reader read nothing`)
    ok(stalledAt * BACKPRESSURE_FRAME <= maxUnread,
      `writer got ${stalledAt} frames (${stalledAt * BACKPRESSURE_FRAME} bytes) accepted unread; bound is ${maxUnread} bytes`)
    return writer
  }

  return [
    withPair('frames arrive in order and byte-identical, both ways', async (a, b) => {
      const frames = sampleFrames(Math.min(a.maxFrameSize, b.maxFrameSize))
      const [toB, toA] = await Promise.all([
        readFrames(b, frames.length), readFrames(a, frames.length), sendAll(a, frames), sendAll(b, frames)
      ])
      frames.forEach((frame, i) => {
        bytesEqual(toB[i]!, frame, `frame ${i} (${frame.length} bytes) a→b`)
        bytesEqual(toA[i]!, frame, `frame ${i} (${frame.length} bytes) b→a`)
      })
    }),

    withPair('a frame over maxFrameSize is rejected and the connection stays usable', async (a, b) => {
      const err = await rejectsWithCode(a.send(new Uint8Array(a.maxFrameSize + 1)), 'ERR_FRAME_TOO_LARGE', 'oversized send')
      ok(err instanceof Error, 'rejects with an Error')
      const [got] = await Promise.all([readFrames(b, 1), a.send(numbered(1, 10))])
      bytesEqual(got[0]!, numbered(1, 10), 'next frame after a rejected one')
    }),

    withPair('close ends iteration on both sides and closed resolves', async (a, b) => {
      const reads = Promise.all([readToEnd(a), readToEnd(b)])
      a.close('done')
      await Promise.all([a.closed, b.closed])
      const [atA, atB] = await reads
      equal(atA.length + atB.length, 0, 'frames read on an idle connection')
    }),

    withPair('frames sent before close reach the reader before the end', async (a, b) => {
      const frames = [numbered(0, 5), numbered(1, Math.min(70_000, a.maxFrameSize)), numbered(2, 0)]
      const reading = readToEnd(b)
      await sendAll(a, frames)
      a.close()
      const got = await reading
      equal(got.length, frames.length, 'frames delivered before the end')
      frames.forEach((frame, i) => { bytesEqual(got[i]!, frame, `frame ${i}`) })
      await b.closed
    }),

    withPair('send after close rejects with ConnectionClosedError on both sides', async (a, b) => {
      a.close()
      await rejectsWithCode(a.send(new Uint8Array(1)), 'ERR_CONNECTION_CLOSED', 'send on the closed side')
      const drained = readToEnd(b)
      await b.closed
      await drained
      await rejectsWithCode(b.send(new Uint8Array(1)), 'ERR_CONNECTION_CLOSED', 'send on the other side')
    }),

    withPair('stats count the bytes moved each way', async (a, b) => {
      const frames = [numbered(0, 10), numbered(1, 20_000), numbered(2, 0), numbered(3, 5000)]
      const bytes = frames.reduce((n, f) => n + f.length, 0)
      await Promise.all([readFrames(b, frames.length), sendAll(a, frames)])
      await Promise.all([readFrames(a, 1), b.send(numbered(4, 300))])
      equal(a.stats.bytesSent, bytes, 'a.stats.bytesSent')
      equal(b.stats.bytesReceived, bytes, 'b.stats.bytesReceived')
      equal(b.stats.bytesSent, 300, 'b.stats.bytesSent')
      equal(a.stats.bytesReceived, 300, 'a.stats.bytesReceived')
    }),

    withPair('leaving a for-await loop early keeps the connection open', async (a, b) => {
      await Promise.all([readFrames(b, 1), a.send(numbered(0, 8))])
      const [got] = await Promise.all([readFrames(b, 1), a.send(numbered(1, 8))])
      bytesEqual(got[0]!, numbered(1, 8), 'frame read by a second loop')
    }),

    withPair('a reader that does not read stalls the writer (backpressure)', async (a, b) => {
      const writer = await stallWriter(a)
      const got = await readFrames(b, total)
      await writer.done
      equal(got.length, total, 'frames read once the reader started')
      got.forEach((frame, i) => { bytesEqual(frame, numbered(i, BACKPRESSURE_FRAME), `frame ${i}`) })
    }),

    withPair('closing rejects a send stalled by backpressure', async (a, b) => {
      const writer = await stallWriter(a)
      a.close()
      await rejectsWithCode(writer.done, 'ERR_CONNECTION_CLOSED', 'the stalled send')
      const got = await readToEnd(b)
      ok(got.length <= writer.sent() + 1, `reader got ${got.length} frames, writer had ${writer.sent()} accepted`)
      got.forEach((frame, i) => { bytesEqual(frame, numbered(i, BACKPRESSURE_FRAME), `frame ${i}`) })
      await Promise.all([a.closed, b.closed])
    }),

    withPair('the reader closing rejects the writer\'s stalled send', async (a, b) => {
      const writer = await stallWriter(a)
      b.close()
      await rejectsWithCode(writer.done, 'ERR_CONNECTION_CLOSED', 'the stalled send')
      await Promise.all([a.closed, b.closed])
    })
  ]
}
