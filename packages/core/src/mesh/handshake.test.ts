import { afterEach, describe, expect, it } from 'vitest'
import { HandshakeError } from '../errors.js'
import { memoryPair } from '../transport/memory.js'
import { decodeMessage, encodeMessage } from '../wire/codec.js'
import { PROTOCOL_VERSION } from '../wire/messages.js'
import type { HelloMessage, Message } from '../wire/messages.js'
import type { Identity } from './api.js'
import { randomBytes } from './bytes.js'
import { generateIdentity } from './identity.js'
import { MeshNode } from './node.js'
import { FAST, HOST_KEY, RawPeer, TestMesh, TOKEN, until } from '../../test/support/mesh.js'
import { checkMac, deriveJoinKey, proveAuth, transcriptHash } from './transcript.js'

let mesh: TestMesh
afterEach(async () => { await mesh.stopAll() })

/** A host that records the outcome of each `accept`. */
async function listeningHost (options: { handshakeTimeout?: number, token?: string } = {}): Promise<{ node: MeshNode, address: string, accepted: Array<Promise<string>> }> {
  const node = new MeshNode({ identity: await generateIdentity(), role: 'host', transports: [mesh.net.transport()], autoDial: false, joinToken: options.token ?? TOKEN, hostKey: HOST_KEY, ...FAST, ...options })
  mesh.nodes.push(node)
  const address = `memory://h${mesh.nodes.length}`
  const accepted: Array<Promise<string>> = []
  mesh.net.listen(address, conn => {
    const result = node.accept(conn)
    result.catch(() => {})
    accepted.push(result)
  })
  return { node, address, accepted }
}

function helloFor (identity: Identity, overrides: Partial<HelloMessage> = {}): HelloMessage {
  return { t: 'hello', version: PROTOCOL_VERSION, peerId: identity.peerId, publicKey: identity.publicKey, role: 'client', nonce: randomBytes(32), addrs: [], ...overrides }
}

async function reason (promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(() => undefined, (e: unknown) => e)
  expect(err).toBeInstanceOf(HandshakeError)
  return (err as HandshakeError).reason
}

/** Frames the raw side receives until the connection ends. */
async function drain (raw: RawPeer): Promise<Message[]> {
  const seen: Message[] = []
  for (let msg = await raw.next(); msg !== undefined; msg = await raw.next()) seen.push(msg)
  return seen
}

/** Send `hello`, read the node's hello, return the transcript (initiator side). */
async function helloExchange (raw: RawPeer, hello: HelloMessage): Promise<{ transcript: Uint8Array, theirs: Message }> {
  const ours = encodeMessage(hello)
  await raw.conn.send(ours)
  const next = await raw.frames.next()
  const theirs = (await import('../wire/codec.js')).decodeMessage(next.value as Uint8Array)
  const transcript = await transcriptHash({ initiatorHello: ours, responderHello: next.value as Uint8Array })
  return { transcript, theirs }
}

describe('handshake', () => {
  it('authenticates both sides and lists each other as peers', async () => {
    mesh = new TestMesh()
    const a = await mesh.host()
    const b = await mesh.add('client')
    expect(await b.node.dial(a.address)).toBe(a.node.peerId)
    expect(b.node.peers().map(p => p.peerId)).toEqual([a.node.peerId])
    expect(b.node.peers()[0]).toMatchObject({ role: 'host', transport: 'memory', addrs: [a.address] })
    // The accepting side finishes when the dialer's first frame after auth arrives.
    await until([a.node], ['peer:connect'], () => a.node.peers().length === 1)
    expect(a.node.peers().map(p => p.peerId)).toEqual([b.node.peerId])
  })

  it('carries each side\'s display name, sanitised, into peers() (absent when none is sent)', async () => {
    mesh = new TestMesh()
    const a = await mesh.host({ name: '  shelf\u0007\u202e host ' })
    const b = await mesh.add('browser', { name: 'Chromium on Linux' })
    const c = await mesh.add('client')
    expect(a.node.name).toBe('shelf host')
    await b.node.dial(a.address)
    await c.node.dial(a.address)
    expect(b.node.peers()[0]?.name).toBe('shelf host')
    await until([a.node], ['peer:connect'], () => a.node.peers().length === 2)
    const seen = new Map(a.node.peers().map(p => [p.peerId, p]))
    expect(seen.get(b.node.peerId)?.name).toBe('Chromium on Linux')
    expect(seen.get(c.node.peerId)).not.toHaveProperty('name')
    // The host's status (what `cairn status` and tabs ask for) carries the names too.
    expect((await c.node.requestStatus(a.node.peerId)).peers.find(p => p.peerId === b.node.peerId)?.name).toBe('Chromium on Linux')
  })

  it('works on an open mesh (empty token)', async () => {
    mesh = new TestMesh()
    const a = await mesh.host({ joinToken: '' })
    const b = await mesh.add('client', { joinToken: '' })
    expect(await b.node.dial(a.address)).toBe(a.node.peerId)
  })

  it('rejects a wrong join token on both sides with reason bad-token', async () => {
    mesh = new TestMesh()
    const host = await listeningHost()
    const client = await mesh.add('client', { joinToken: 'wrong' })
    expect(await reason(client.node.dial(host.address))).toBe('bad-token')
    expect(await reason(host.accepted[0]!)).toBe('bad-token')
    expect(host.node.peers()).toEqual([])
  })

  it('the responder proves nothing to a peer with the wrong token: no auth of its own, only the verdict', async () => {
    mesh = new TestMesh()
    const host = await listeningHost()
    const identity = await generateIdentity()
    const raw = new RawPeer(await mesh.net.transport().dial(host.address))
    const { transcript } = await helloExchange(raw, helloFor(identity))
    await raw.send({ t: 'auth', ...await proveAuth('initiator', transcript, identity, await deriveJoinKey('a guess at the token')) })
    expect(await drain(raw)).toEqual([
      expect.objectContaining({ t: 'error', code: 'ERR_HANDSHAKE', message: 'bad-token' })
    ])
    expect(await reason(host.accepted[0]!)).toBe('bad-token')
  })

  it('the responder sends its auth only after the initiator\'s has verified', async () => {
    mesh = new TestMesh()
    const host = await listeningHost()
    const identity = await generateIdentity()
    const raw = new RawPeer(await mesh.net.transport().dial(host.address))
    const { transcript } = await helloExchange(raw, helloFor(identity))
    // Nothing comes before our auth (the handshake timeout is far away).
    const first = raw.frames.next()
    const early = await Promise.race([first, new Promise(resolve => setTimeout(() => { resolve('nothing') }, 200))])
    expect(early).toBe('nothing')
    await raw.send({ t: 'auth', ...await proveAuth('initiator', transcript, identity, await deriveJoinKey(TOKEN)) })
    const auth = decodeMessage((await first).value as Uint8Array)
    expect(auth).toMatchObject({ t: 'auth' })
    const theirs = auth as Extract<Message, { t: 'auth' }>
    expect(await checkMac('responder', transcript, await deriveJoinKey(TOKEN), theirs.mac)).toBe(true)
    expect(await raw.next()).toMatchObject({ t: 'peers' })
    await raw.send({ t: 'peers', peers: [] })
    expect(await host.accepted[0]).toBe(identity.peerId)
  })

  it('rejects a bad signature before processing anything else', async () => {
    mesh = new TestMesh()
    const host = await listeningHost()
    const identity = await generateIdentity()
    const raw = new RawPeer(await mesh.net.transport().dial(host.address))
    const { transcript } = await helloExchange(raw, helloFor(identity))
    const proof = await proveAuth('initiator', transcript, identity, await deriveJoinKey(TOKEN))
    proof.sig[0]! ^= 1
    await raw.send({ t: 'auth', sig: proof.sig, mac: proof.mac })
    await raw.send({ t: 'peers', peers: [] })
    // The verdict only: the responder sends no auth of its own to an unverified peer, and never replies to `peers`.
    expect(await drain(raw)).toEqual([
      expect.objectContaining({ t: 'error', code: 'ERR_HANDSHAKE', message: 'bad-signature' })
    ])
    expect(await reason(host.accepted[0]!)).toBe('bad-signature')
  })

  it('rejects a hello whose peer id does not match its key', async () => {
    mesh = new TestMesh()
    const host = await listeningHost()
    const [real, other] = [await generateIdentity(), await generateIdentity()]
    const raw = new RawPeer(await mesh.net.transport().dial(host.address))
    await raw.send(helloFor(real, { peerId: other.peerId }))
    const frames = await drain(raw)
    expect(frames.map(f => f.t)).toEqual(['hello', 'error'])
    expect(frames[1]).toMatchObject({ message: 'bad-identity' })
    expect(await reason(host.accepted[0]!)).toBe('bad-identity')
  })

  it('rejects a replayed handshake', async () => {
    mesh = new TestMesh()
    const host = await listeningHost()
    const identity = await generateIdentity()
    const hello = helloFor(identity)
    const first = new RawPeer(await mesh.net.transport().dial(host.address))
    const { transcript } = await helloExchange(first, hello)
    const proof = await proveAuth('initiator', transcript, identity, await deriveJoinKey(TOKEN))
    await first.send({ t: 'auth', ...proof })
    await first.send({ t: 'peers', peers: [] })
    expect(await host.accepted[0]).toBe(identity.peerId)

    // The same frames again, on a new connection.
    const replay = new RawPeer(await mesh.net.transport().dial(host.address))
    await replay.send(hello)
    await replay.send({ t: 'auth', ...proof })
    expect(await reason(host.accepted[1]!)).toBe('replay')

    // A node that never saw the nonce still refuses: the transcript holds its own fresh nonce.
    const fresh = await listeningHost()
    const elsewhere = new RawPeer(await mesh.net.transport().dial(fresh.address))
    await elsewhere.send(hello)
    await elsewhere.send({ t: 'auth', ...proof })
    expect(await reason(fresh.accepted[0]!)).toBe('bad-signature')
    expect(fresh.node.peers()).toEqual([])
  })

  it('caps frames before authentication at 4 KiB', async () => {
    mesh = new TestMesh()
    const host = await listeningHost()
    const raw = new RawPeer(await mesh.net.transport().dial(host.address))
    await raw.conn.send(new Uint8Array(4097))
    const frames = await drain(raw)
    expect(frames.at(-1)).toMatchObject({ t: 'error', message: 'frame-too-large' })
    expect(await reason(host.accepted[0]!)).toBe('frame-too-large')
  })

  it('refuses any frame but hello/auth before authentication, without acting on it', async () => {
    mesh = new TestMesh()
    const host = await listeningHost()
    const identity = await generateIdentity()
    const raw = new RawPeer(await mesh.net.transport().dial(host.address))
    await helloExchange(raw, helloFor(identity))
    await raw.send({ t: 'status', id: 1 })
    // The verdict only: no auth from the responder (it waits for ours), never an `info` reply.
    expect(await drain(raw)).toEqual([
      expect.objectContaining({ t: 'error', message: 'unexpected-frame' })
    ])
    expect(await reason(host.accepted[0]!)).toBe('unexpected-frame')
  })

  it('times out a silent peer', async () => {
    mesh = new TestMesh()
    const host = await listeningHost({ handshakeTimeout: 50 })
    const raw = new RawPeer(await mesh.net.transport().dial(host.address))
    await raw.send(helloFor(await generateIdentity()))
    expect(await reason(host.accepted[0]!)).toBe('timeout')
    // The responder waited for our auth: it never sent its own.
    expect((await drain(raw)).map(f => f.t)).toEqual(['hello', 'error'])
  })

  it('refuses to connect to itself', async () => {
    mesh = new TestMesh()
    const a = await mesh.host()
    expect(await reason(a.node.dial(a.address))).toBe('self')
  })

  it('binds the channel fingerprints into the transcript', async () => {
    mesh = new TestMesh()
    const a = await mesh.add('browser')
    const b = await mesh.add('browser')
    const binding = { local: randomBytes(32), remote: randomBytes(32) }
    const [ca, cb] = memoryPair({ channelBinding: binding })
    const [ida, idb] = await Promise.all([a.node.connect(ca), b.node.accept(cb)])
    expect([ida, idb]).toEqual([b.node.peerId, a.node.peerId])

    // A side that ignores the binding fails the signature check.
    const [cc, cd] = memoryPair({ channelBinding: binding })
    const accepted = a.node.accept(cc)
    const identity = await generateIdentity()
    const raw = new RawPeer(cd)
    const { transcript } = await helloExchange(raw, helloFor(identity))
    await raw.send({ t: 'auth', ...await proveAuth('initiator', transcript, identity, await deriveJoinKey(TOKEN)) })
    expect(await reason(accepted)).toBe('bad-signature')
  })

  it('dedupes simultaneous connections between two hosts', async () => {
    mesh = new TestMesh()
    const a = await listeningHost()
    const b = await listeningHost()
    const [x, y] = await Promise.all([a.node.dial(b.address), b.node.dial(a.address)])
    expect([x, y]).toEqual([b.node.peerId, a.node.peerId])
    // Once every handshake is over, each side has kept the same one of the two.
    await Promise.allSettled([...a.accepted, ...b.accepted])
    expect(a.node.peers()).toHaveLength(1)
    expect(b.node.peers()).toHaveLength(1)
    expect((await a.node.requestStatus(b.node.peerId)).peerId).toBe(b.node.peerId)
    expect((await b.node.requestStatus(a.node.peerId)).peerId).toBe(a.node.peerId)
  })
})

describe('handshake cancellation', () => {
  it('rejects dial with AbortError when aborted mid-handshake', async () => {
    mesh = new TestMesh()
    mesh.net.listen('memory://silent', () => {})
    const client = await mesh.add('client')
    const controller = new AbortController()
    const dial = client.node.dial('memory://silent', { signal: controller.signal })
    controller.abort()
    await expect(dial).rejects.toMatchObject({ code: 'ERR_ABORTED' })
    await expect(client.node.dial('memory://nowhere')).rejects.toMatchObject({ code: 'ERR_UNAVAILABLE' })
    await expect(client.node.dial('tcp://x')).rejects.toMatchObject({ code: 'ERR_UNAVAILABLE' })
  })

  it('refuses connections after stop', async () => {
    mesh = new TestMesh()
    const a = await mesh.host()
    const b = await mesh.add('client')
    await a.node.stop()
    await expect(b.node.dial(a.address)).rejects.toBeInstanceOf(HandshakeError)
  })
})

describe('duplicates', () => {
  it('keeps one connection, the same on both sides, when one side dials twice at once', async () => {
    mesh = new TestMesh()
    const host = await listeningHost()
    const client = await mesh.add('client')
    const ids = await Promise.all([client.node.dial(host.address), client.node.dial(host.address), client.node.dial(host.address)])
    expect(ids).toEqual([host.node.peerId, host.node.peerId, host.node.peerId])
    await Promise.allSettled(host.accepted)
    expect(client.node.peers()).toHaveLength(1)
    expect(host.node.peers()).toHaveLength(1)
    expect((await client.node.requestStatus(host.node.peerId)).peerId).toBe(host.node.peerId)
    expect((await host.node.requestStatus(client.node.peerId)).peerId).toBe(client.node.peerId)
  })
})
