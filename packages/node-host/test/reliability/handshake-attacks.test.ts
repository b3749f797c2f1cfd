/**
 * Issue item 9 — bad handshakes against real host processes over real
 * WebSockets (the memory-transport versions are in core's handshake tests).
 * Each attack pipelines a `put` (a new block), a `want` (a block the host
 * holds) and a `status` right behind its failing frame. Pass: the host
 * answers only `hello`, its own `auth` and `error ERR_HANDSHAKE <reason>`,
 * then closes; it never processes the pipelined frames (no `stored`,
 * `block`, `dont-have` or `info`; the block is not on its disk).
 * DTLS fingerprint tampering only exists on WebRTC (browser side); it is
 * covered by the web e2e tests, not here.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateIdentity } from '@cairn/core'
import { PROTOCOL_VERSION, encodeMessage } from '@cairn/core/wire'
import { publicKeyFromPeerId } from '@cairn/core/mesh'
import type { Identity } from '@cairn/core'
import type { HelloMessage, Message } from '@cairn/core/wire'
import { randomBytes } from 'node:crypto'
import { deriveJoinKey, proveAuth, transcriptHash } from '../../../core/src/mesh/transcript.js'
import { Cluster, randomFile, waitFor, type HostProcess } from '../harness.js'
import { scanBlocks } from './support/disk.js'
import { dialRaw, drain, randomBlock, targetOf, type Block, type RawPeer } from './support/mesh.js'

interface Exchange { raw: RawPeer, hello: Uint8Array, transcript: Uint8Array }

function helloFor (identity: Identity, overrides: Partial<HelloMessage> = {}): HelloMessage {
  return { t: 'hello', version: PROTOCOL_VERSION, peerId: identity.peerId, publicKey: identity.publicKey, role: 'client', nonce: new Uint8Array(randomBytes(32)), addrs: [], ...overrides }
}

describe('bad handshakes over WebSocket', () => {
  const cluster = new Cluster()
  let a: HostProcess, b: HostProcess
  let heldCid: Uint8Array
  let blocksBefore: number
  const planted: Block[] = []

  beforeAll(async () => {
    a = await cluster.startHost()
    b = await cluster.startHost(['--peer', a.peerUrl])
    const src = join(await cluster.tempDir('cairn-src-'), 'src.bin')
    await randomFile(src, 100_000)
    await cluster.json(['put', src, '--mesh', a.url])
    const scan = await scanBlocks(join(a.data, 'blocks'))
    blocksBefore = scan.blocks.length
    const { parseBlockId } = await import('@cairn/core')
    heldCid = parseBlockId(scan.blocks[0]!.id).bytes
  }, 60_000)

  afterAll(async () => {
    // Nothing planted after a failed handshake reached either host's disk.
    for (const host of [a, b]) {
      const held = new Set((await scanBlocks(join(host.data, 'blocks'))).blocks.map(f => f.id))
      for (const block of planted) expect(held.has(block.cid.toString())).toBe(false)
    }
    expect((await scanBlocks(join(a.data, 'blocks'))).blocks).toHaveLength(blocksBefore)
    await cluster.cleanup()
  })

  /** Send our hello, read the host's; the transcript as the initiator sees it. */
  async function helloExchange (host: HostProcess, hello: HelloMessage): Promise<Exchange> {
    const raw = await dialRaw(host.url)
    const ours = encodeMessage(hello)
    await raw.conn.send(ours)
    const theirs = await raw.frames.next()
    if (theirs.done === true) throw new Error('closed before the host said hello')
    return { raw, hello: ours, transcript: await transcriptHash({ initiatorHello: ours, responderHello: theirs.value }) }
  }

  /** Pipeline frames a refused peer must never get answered, then read until the host closes. */
  async function pipelineAndDrain (raw: RawPeer): Promise<Message[]> {
    const block = await randomBlock(2000)
    planted.push(block)
    const frames: Message[] = [
      { t: 'put', id: 1, cid: block.cid.bytes, offset: 0, total: block.bytes.length, data: block.bytes, replicas: 1 },
      { t: 'want', id: 2, cid: heldCid },
      { t: 'status', id: 3 }
    ]
    for (const frame of frames) await raw.send(frame).catch(() => {})
    const { frames: got, ended } = await drain(raw, 15_000)
    expect(ended).toBe(true)
    return got
  }

  function expectRefused (got: Message[], reason: string): void {
    expect(got.filter(m => m.t !== 'hello' && m.t !== 'auth')).toEqual([expect.objectContaining({ t: 'error', code: 'ERR_HANDSHAKE', message: reason })])
  }

  async function authAndPipeline (ex: Exchange, proof: { sig: Uint8Array, mac: Uint8Array }): Promise<Message[]> {
    await ex.raw.send({ t: 'auth', sig: proof.sig, mac: proof.mac })
    return await pipelineAndDrain(ex.raw)
  }

  it('wrong join token: bad-token', async () => {
    const identity = await generateIdentity()
    const ex = await helloExchange(a, helloFor(identity))
    const proof = await proveAuth('initiator', ex.transcript, identity, await deriveJoinKey('not-the-token'))
    expectRefused(await authAndPipeline(ex, proof), 'bad-token')
  })

  it('bad signature: bad-signature', async () => {
    const identity = await generateIdentity()
    const ex = await helloExchange(a, helloFor(identity))
    const proof = await proveAuth('initiator', ex.transcript, identity, await deriveJoinKey(targetOf(a.url).token))
    proof.sig[10] = proof.sig[10]! ^ 0x01
    expectRefused(await authAndPipeline(ex, proof), 'bad-signature')
  })

  it('replayed transcript: replay on the same host, bad-signature on another', async () => {
    const identity = await generateIdentity()
    const token = targetOf(a.url).token
    const ex = await helloExchange(a, helloFor(identity))
    const proof = await proveAuth('initiator', ex.transcript, identity, await deriveJoinKey(token))
    await ex.raw.send({ t: 'auth', ...proof })
    await waitFor('the real session to be accepted', async () => {
      const next = await ex.raw.next()
      return next?.t === 'peers' ? true : undefined
    }, { timeout: 10_000 })
    ex.raw.conn.close()

    for (const [host, reason] of [[a, 'replay'], [b, 'bad-signature']] as const) {
      const again = await dialRaw(host.url)
      await again.conn.send(ex.hello)
      await again.send({ t: 'auth', ...proof }).catch(() => {})
      expectRefused(await pipelineAndDrain(again), reason)
    }
  })

  it('swapped identity: a key that is not the peer id (bad-identity), or a host\'s id without its key (bad-signature)', async () => {
    const [mine, other] = [await generateIdentity(), await generateIdentity()]
    const swapped = await dialRaw(a.url)
    await swapped.send(helloFor(mine, { peerId: other.peerId }))
    expectRefused(await pipelineAndDrain(swapped), 'bad-identity')

    // Claim to be host b (its id and public key), sign with our own key.
    const ex = await helloExchange(a, helloFor(mine, { peerId: b.peerId, publicKey: publicKeyFromPeerId(b.peerId), role: 'host' }))
    const proof = await proveAuth('initiator', ex.transcript, mine, await deriveJoinKey(targetOf(a.url).token))
    expectRefused(await authAndPipeline(ex, proof), 'bad-signature')
  })

  it('requests before auth: unexpected-frame, never answered', async () => {
    const ex = await helloExchange(a, helloFor(await generateIdentity()))
    expectRefused(await pipelineAndDrain(ex.raw), 'unexpected-frame')
  })
})
