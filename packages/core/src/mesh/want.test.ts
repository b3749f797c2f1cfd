import { describe, expect, it } from 'vitest'
import { AbortError, ConnectionClosedError, TimeoutError } from '../errors.js'
import { memoryPair } from '../transport/memory.js'
import type { Connection } from '../transport/connection.js'
import { decodeMessage, encodeMessage } from '../wire/codec.js'
import type { Message } from '../wire/messages.js'
import { makeBlock } from '../../test/support/mesh.js'
import { Peer } from './peer.js'
import { DEFAULT_PEER_LIMITS } from './tuning.js'

type Want = Extract<Message, { t: 'want' }>

/**
 * A `Peer` whose other end is a source driven frame by frame (what a
 * relaying host's fetch talks to): `next()` reads the frames it was sent.
 */
function sourcePair (): { peer: Peer, closed: string[], source: Connection, next: () => Promise<Message>, wants: (n: number) => Promise<Want[]> } {
  const [local, remote] = memoryPair()
  const closed: string[] = []
  const peer = new Peer({
    conn: local,
    frames: local[Symbol.asyncIterator](),
    hello: { t: 'hello', version: 1, peerId: 'source', publicKey: new Uint8Array(32), role: 'browser', nonce: new Uint8Array(32), addrs: [] },
    dialer: 'source',
    tiebreak: 'pair',
    limits: DEFAULT_PEER_LIMITS,
    handlers: { request: async () => {}, message: () => {}, closed: (_peer, reason) => { closed.push(reason) }, failed: () => {} }
  })
  peer.start()
  const frames = remote[Symbol.asyncIterator]()
  const next = async (): Promise<Message> => {
    const frame = await frames.next()
    if (frame.done === true) throw new Error('the connection ended')
    return decodeMessage(frame.value)
  }
  const wants = async (n: number): Promise<Want[]> => {
    const seen: Want[] = []
    while (seen.length < n) {
      const msg = await next()
      if (msg.t === 'want') seen.push(msg)
    }
    return seen
  }
  return { peer, closed, source: remote, next, wants }
}

async function send (conn: Connection, msg: Message): Promise<void> {
  await conn.send(encodeMessage(msg))
}

describe('Peer.want', () => {
  it('reports each part it takes in, and takes no part in once its caller gave up', async () => {
    const { peer, source, next, wants } = sourcePair()
    const block = await makeBlock(3000, 1)
    const taken: number[] = []
    const left = new AbortController()
    const want = peer.want(block.cid, { signal: left.signal, admit: () => undefined, taken: bytes => { taken.push(bytes) } })
    const [asked] = await wants(1)
    const part = async (from: number, to: number): Promise<void> => {
      await send(source, { t: 'block', id: asked!.id, offset: from, total: 3000, data: block.bytes.subarray(from, to) })
    }
    await part(0, 1000)
    await expect.poll(() => taken).toEqual([1000])
    left.abort()
    await expect(want).rejects.toBeInstanceOf(AbortError)
    // The rest arrives after the caller left: dropped, not taken in for nobody.
    await part(1000, 2000)
    await part(2000, 3000)
    // Frames are handled in order: once the ping is answered, both parts were.
    await send(source, { t: 'ping', id: 99 })
    for (let msg = await next(); msg.t !== 'pong'; msg = await next());
    expect(taken).toEqual([1000])
    peer.close()
  })

  it('a caller\'s aborts do not count as the peer not answering; timeouts do', async () => {
    const { peer, closed, source, wants } = sourcePair()
    const { cid } = await makeBlock(10, 2)
    // Askers that ask and leave in bulk: more than half the outgoing slots given up on, the source answering slowly.
    const leaving = Array.from({ length: 40 }, () => {
      const left = new AbortController()
      const want = peer.want(cid, { signal: left.signal }).catch((err: unknown) => err)
      return { left, want }
    })
    const asked = await wants(40)
    for (const { left } of leaving) left.abort()
    for (const { want } of leaving) expect(await want).toBeInstanceOf(AbortError)
    // One more request: the count of abandoned requests is checked as it opens.
    const one = peer.want(cid, { timeout: 50 }).catch((err: unknown) => err)
    await wants(1)
    expect(await one).toBeInstanceOf(TimeoutError)
    expect(peer.isClosed).toBe(false)
    expect(closed).toEqual([])
    // The slow source answers them all in the end: their slots come back.
    for (const want of asked) await send(source, { t: 'dont-have', id: want.id })
    // A peer that really stops answering is still dropped: requests that time out count.
    // (The one above is still unanswered: the 32nd of these to time out crosses the threshold, and
    // the peer is dropped at that moment; the last one ends with the connection.)
    const silent = Array.from({ length: 33 }, async () => await peer.want(cid, { timeout: 20 }).catch((err: unknown) => err))
    const ends = await Promise.all(silent)
    expect(ends.filter(err => err instanceof TimeoutError).length).toBeGreaterThanOrEqual(32)
    for (const err of ends) expect(err instanceof TimeoutError || err instanceof ConnectionClosedError).toBe(true)
    expect(peer.isClosed).toBe(true)
    expect(closed[0]).toMatch(/stopped answering/)
  })

  it('requests given up on still count once past their deadline; with every slot taken, a request times out instead of waiting for good', async () => {
    const { peer, closed, wants } = sourcePair()
    const { cid } = await makeBlock(10, 3)
    // A source that never answers: every outgoing slot taken by requests whose callers left at once.
    const slots = DEFAULT_PEER_LIMITS.maxOutgoingRequests
    const leaving = Array.from({ length: slots }, () => {
      const left = new AbortController()
      const want = peer.want(cid, { signal: left.signal, timeout: 300 }).catch((err: unknown) => err)
      return { left, want }
    })
    await wants(slots)
    for (const { left } of leaving) left.abort()
    for (const { want } of leaving) expect(await want).toBeInstanceOf(AbortError)
    // No slot is free: a probe and a ping fail within their own timeout (they waited for good before).
    const started = performance.now()
    expect(await peer.probe(cid, { timeout: 50 }).catch((err: unknown) => err)).toBeInstanceOf(TimeoutError)
    expect(await peer.ping({ timeout: 50 }).catch((err: unknown) => err)).toBeInstanceOf(TimeoutError)
    expect(performance.now() - started).toBeLessThan(250)
    expect(peer.isClosed).toBe(false)
    // Past their deadline the abandoned requests count as unanswered: the peer is dropped.
    await expect.poll(() => peer.isClosed, { timeout: 5_000 }).toBe(true)
    expect(closed[0]).toMatch(/stopped answering/)
  })
})
