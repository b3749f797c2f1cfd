/**
 * Issue item 8 — fuzzing the decoder and a MeshNode's handler with 100,000
 * generated frames: valid messages of every type (fast-check samples), frames
 * aimed at the node's state (wants for held and unknown blocks, puts in
 * parts, good and bad, replies to requests never made, gossip, signals,
 * hello/auth after auth), each possibly mutated (bit flips, truncation,
 * splices, garbage, frames over the connection's limit).
 *  - pre-auth: 20,000 frames, each on a new connection right after the
 *    node's hello (alone, or after a valid hello in the auth position);
 *  - post-auth: 80,000 frames over authenticated connections (host, browser,
 *    client roles), reconnecting whenever the node drops us.
 * Every frame also goes through `decodeMessage` directly.
 * Pass: the decoder throws only wire errors; every handshake ends with a
 * `HandshakeError` of a known reason; the node's replies all decode, and no
 * error reply is `ERR_INTERNAL` (an untyped failure in a handler); no
 * unhandled rejection or uncaught exception; bounded time; and afterwards
 * the node still stores and serves blocks for an honest client.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HandshakeError } from '../errors.js'
import type { Connection } from '../transport/connection.js'
import { memoryPair } from '../transport/memory.js'
import { message } from '../../test/support/wire-arbitraries.js'
import { decodeMessage, encodeMessage } from '../wire/codec.js'
import { PROTOCOL_VERSION } from '../wire/messages.js'
import type { Message, Role } from '../wire/messages.js'
import type { Identity } from './api.js'
import { randomBytes } from './bytes.js'
import { HANDSHAKE_REASONS } from './handshake.js'
import { generateIdentity } from './identity.js'
import { MeshNode } from './node.js'
import type { MeshNodeOptions } from './node.js'
import { FAST, HOST_KEY, RawPeer, TOKEN, makeBlock, rawHandshake, sameBytes, withMaxFrameSize } from '../../test/support/mesh.js'

const PRE_AUTH_FRAMES = 20_000
const POST_AUTH_FRAMES = 80_000
/** The node's side of each connection takes frames up to this size; ours sends up to 4x it. */
const NODE_FRAME_LIMIT = 16 * 1024
const TIME_BOUND = 150_000
const WIRE_CODES = new Set(['ERR_FRAME_TOO_LARGE', 'ERR_FRAME_MALFORMED', 'ERR_UNKNOWN_MESSAGE'])

/** xorshift32, seeded: the run is reproducible. */
function prng (seed: number): (n: number) => number {
  let x = seed >>> 0 || 1
  return n => {
    x ^= x << 13; x >>>= 0
    x ^= x >>> 17
    x ^= x << 5; x >>>= 0
    return x % n
  }
}

interface ProcessLike { on: (event: string, fn: (err: unknown) => void) => void, off: (event: string, fn: (err: unknown) => void) => void }
const proc = (globalThis as { process?: ProcessLike }).process

describe('MeshNode under 100,000 fuzzed frames', () => {
  const random = prng(0xc0ffee)
  const faults: unknown[] = []
  const onFault = (err: unknown): void => { faults.push(err) }
  const nodes: MeshNode[] = []
  const decoderOutcomes = new Map<string, number>()
  const replyCodes = new Map<string, number>()
  const replyTypes = new Map<string, number>()
  const reasons = new Map<string, number>()
  let held: Array<{ cid: Uint8Array, bytes: Uint8Array }> = []
  let pool: Uint8Array[] = []
  let identities: Identity[] = []
  const started = performance.now()

  beforeAll(async () => {
    proc?.on('unhandledRejection', onFault)
    proc?.on('uncaughtException', onFault)
    held = await Promise.all([1, 2, 3, 4].map(async seed => {
      const block = await makeBlock(seed * 3000, seed)
      return { cid: block.cid.bytes, bytes: block.bytes }
    }))
    identities = await Promise.all(Array.from({ length: 8 }, async () => await generateIdentity()))
    pool = fc.sample(message, { numRuns: 600, seed: 11 }).map(m => encodeMessage(m))
  })

  afterAll(async () => {
    await Promise.all(nodes.map(async n => { await n.stop() }))
    proc?.off('unhandledRejection', onFault)
    proc?.off('uncaughtException', onFault)
  })

  async function fuzzNode (options: Partial<MeshNodeOptions> = {}): Promise<MeshNode> {
    const { MemoryBlockStore } = await import('../store/memory.js')
    const store = new MemoryBlockStore()
    const { decodeBlockId } = await import('../block/id.js')
    for (const block of held) await store.put(decodeBlockId(block.cid), block.bytes)
    const node = new MeshNode({
      identity: await generateIdentity(),
      role: 'host',
      store,
      transports: [],
      joinToken: TOKEN,
      hostKey: HOST_KEY,
      ...FAST,
      handshakeTimeout: 2_000,
      requestTimeout: 200,
      putTimeout: 200,
      ...options
    })
    await node.start()
    nodes.push(node)
    return node
  }

  /** A connection pair whose node side only takes frames up to NODE_FRAME_LIMIT. */
  function pair (): { ours: Connection, theirs: Connection } {
    const [ours, raw] = memoryPair({ maxFrameSize: 4 * NODE_FRAME_LIMIT })
    return { ours, theirs: withMaxFrameSize(raw, NODE_FRAME_LIMIT) }
  }

  /** Feed `frame` to the decoder; only wire errors may come out. */
  function decodeCheck (frame: Uint8Array): void {
    let outcome = 'ok'
    try {
      decodeMessage(frame, { maxFrameSize: NODE_FRAME_LIMIT })
    } catch (err) {
      outcome = (err as { code?: string }).code ?? 'untyped'
      if (!WIRE_CODES.has(outcome)) throw new Error('decodeMessage threw a non-wire error', { cause: err })
    }
    decoderOutcomes.set(outcome, (decoderOutcomes.get(outcome) ?? 0) + 1)
  }

  const pick = <T>(items: T[]): T => items[random(items.length)]!
  const someBytes = (max: number): Uint8Array => {
    const out = new Uint8Array(random(max + 1))
    for (let i = 0; i < out.length; i++) out[i] = random(256)
    return out
  }

  const exactly = (length: number): Uint8Array => {
    const out = new Uint8Array(length)
    for (let i = 0; i < length; i++) out[i] = random(256)
    return out
  }

  /** A frame aimed at the node's state (valid), or undefined for "use the pool". */
  function aimed (): Uint8Array | undefined {
    const id = 1 + random(80)
    const block = pick(held)
    const cid = random(2) === 0 ? block.cid : Uint8Array.of(1, 0x55, 0x12, 0x20, ...someBytes(32).slice(0, 32), ...new Uint8Array(32)).slice(0, 36)
    let msg: Message
    switch (random(12)) {
      case 0: msg = { t: 'want', id, cid }; break
      case 1: msg = { t: 'want', id, cid, probe: true }; break
      case 2: msg = { t: 'put', id, cid: block.cid, offset: 0, total: block.bytes.length, data: block.bytes }; break
      case 3: {
        const cut = random(block.bytes.length)
        msg = random(2) === 0
          ? { t: 'put', id, cid: block.cid, offset: 0, total: block.bytes.length, data: block.bytes.subarray(0, cut) }
          : { t: 'put', id, cid: block.cid, offset: cut, total: block.bytes.length, data: block.bytes.subarray(cut) }
        break
      }
      case 4: msg = { t: 'put', id, cid: pick(held).cid, offset: 0, total: 100, data: exactly(100), replicas: 1 + random(3) }; break
      case 5: msg = { t: 'status', id }; break
      case 6: msg = { t: 'ping', id }; break
      case 7: msg = { t: 'signal', to: pick(identities).peerId, from: pick(identities).peerId, data: someBytes(64) }; break
      case 8: msg = { t: 'peers', peers: [{ peerId: pick(identities).peerId, role: 'host', addrs: ['memory://nowhere', 'ws://127.0.0.1:9/mesh'] }] }; break
      case 9: msg = { t: 'have', cids: [cid] }; break
      case 10: return undefined
      default: return someBytes(64)
    }
    try {
      return encodeMessage(msg)
    } catch {
      return undefined // e.g. an empty part: not a valid message, the pool serves instead
    }
  }

  /** One fuzzed frame: aimed or pooled, then maybe mutated. */
  function nextFrame (): Uint8Array {
    const base = (random(3) === 0 ? aimed() : undefined) ?? pick(pool)
    switch (random(8)) {
      case 0: {
        const out = base.slice()
        for (let n = 1 + random(4); n > 0 && out.length > 0; n--) {
          const at = random(out.length)
          out[at] = out[at]! ^ (1 << random(8))
        }
        return out
      }
      case 1: return base.subarray(0, random(base.length + 1))
      case 2: return Uint8Array.of(...base.subarray(0, random(base.length + 1)), ...pick(pool).subarray(random(8)))
      case 3: return someBytes(random(40) === 0 ? 3 * NODE_FRAME_LIMIT : 300)
      default: return base
    }
  }

  it(`pre-auth: ${PRE_AUTH_FRAMES} frames, one handshake each, all refused with a known reason`, async () => {
    const node = await fuzzNode()
    const known = new Set<string>(HANDSHAKE_REASONS)
    let sent = 0
    const one = async (): Promise<void> => {
      const { ours, theirs } = pair()
      const accepted = node.accept(theirs).then(() => 'accepted', (err: unknown) => err)
      const raw = new RawPeer(ours)
      const sequence: Uint8Array[] = []
      if (random(3) === 0) {
        const identity = pick(identities)
        sequence.push(encodeMessage({ t: 'hello', version: PROTOCOL_VERSION, peerId: identity.peerId, publicKey: identity.publicKey, role: 'client', nonce: randomBytes(32), addrs: [] }))
      }
      const frame = nextFrame()
      sequence.push(frame)
      decodeCheck(frame)
      try {
        for (const f of sequence) await ours.send(f)
      } catch {}
      sent++
      while ((await raw.frames.next()).done !== true) { /* drain until the node closes */ }
      const outcome = await accepted
      expect(outcome).toBeInstanceOf(HandshakeError)
      const reason = (outcome as HandshakeError).reason
      expect(known.has(reason)).toBe(true)
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1)
    }
    const workers = Array.from({ length: 32 }, async () => {
      while (sent < PRE_AUTH_FRAMES) await one()
    })
    await Promise.all(workers)
    expect(sent).toBeGreaterThanOrEqual(PRE_AUTH_FRAMES)
    expect(node.peers()).toEqual([])
  }, TIME_BOUND)

  it(`post-auth: ${POST_AUTH_FRAMES} frames through authenticated connections; typed error replies only`, async () => {
    // A node that tolerates faults, so long runs of frames reach the handler, and one with the default limits.
    const tolerant = await fuzzNode({ limits: { maxStrikes: 1_000_000 } })
    const strict = await fuzzNode()
    let connections = 0
    const connect = async (node: MeshNode, role: Role): Promise<RawPeer> => {
      const { ours, theirs } = pair()
      const accepted = node.accept(theirs)
      accepted.catch(() => {})
      const raw = await rawHandshake(ours, { role, ...(role === 'host' ? { hostKey: HOST_KEY } : {}) })
      await accepted
      connections++
      void (async () => {
        for (let next = await raw.frames.next(); next.done !== true; next = await raw.frames.next()) {
          const reply = decodeMessage(next.value)
          replyTypes.set(reply.t, (replyTypes.get(reply.t) ?? 0) + 1)
          if (reply.t === 'error') replyCodes.set(reply.code, (replyCodes.get(reply.code) ?? 0) + 1)
        }
      })().catch(onFault)
      return raw
    }
    const roles: Role[] = ['host', 'browser', 'client']
    const run = async (node: MeshNode, count: number, role: Role): Promise<void> => {
      let raw = await connect(node, role)
      for (let i = 0; i < count; i++) {
        // The memory transport runs on microtasks alone: yield now and then so
        // work that waits on a macrotask (Web Crypto digests) gets its turn.
        if (i % 32 === 0) await new Promise(resolve => setTimeout(resolve, 0))
        const frame = nextFrame()
        decodeCheck(frame)
        try {
          await raw.conn.send(frame)
        } catch {
          raw = await connect(node, role)
        }
      }
      raw.conn.close()
    }
    const share = POST_AUTH_FRAMES / 10
    await Promise.all([
      ...roles.map(async role => { await run(tolerant, 3 * share, role) }),
      run(strict, share, 'client')
    ])
    expect(replyCodes.has('ERR_INTERNAL')).toBe(false)
    expect(replyCodes.get('ERR_FRAME_MALFORMED')).toBeGreaterThan(0)
    expect(replyCodes.get('ERR_INTEGRITY')).toBeGreaterThan(0)
    expect(replyTypes.get('stored')).toBeGreaterThan(0)
    console.log(`node fuzz: post-auth over ${connections} authenticated connections; replies ${JSON.stringify(Object.fromEntries(replyTypes))}, errors by code ${JSON.stringify(Object.fromEntries(replyCodes))}`)
  }, TIME_BOUND)

  it('afterwards: no unhandled rejection or uncaught exception, bounded time, and the node still serves an honest client', async () => {
    const elapsed = performance.now() - started
    console.log(`node fuzz: ${PRE_AUTH_FRAMES + POST_AUTH_FRAMES} frames in ${Math.round(elapsed)} ms; ` +
      `decoder outcomes ${JSON.stringify(Object.fromEntries(decoderOutcomes))}; handshake reasons ${JSON.stringify(Object.fromEntries(reasons))}`)
    expect(faults).toEqual([])
    expect([...decoderOutcomes.values()].reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(PRE_AUTH_FRAMES + POST_AUTH_FRAMES)
    expect(elapsed).toBeLessThan(2 * TIME_BOUND)

    const node = nodes[1]!
    const { ours, theirs } = pair()
    // Dialed, as a client reaches a host (a client believes a host claim only at an address it dialed).
    const transport = { name: 'memory', canDial: () => true, dial: async () => ours }
    const client = new MeshNode({ identity: await generateIdentity(), role: 'client', transports: [transport], joinToken: TOKEN, ...FAST })
    nodes.push(client)
    await client.start()
    const accepted = node.accept(theirs)
    await client.dial('memory://fuzzed-host')
    await accepted
    const block = await makeBlock(5000, 99)
    expect(await client.putBlock(block.cid, block.bytes)).toEqual({ copies: 1 })
    expect(sameBytes(await client.getBlock(block.cid), block.bytes)).toBe(true)
  })
})
