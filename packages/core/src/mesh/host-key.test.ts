import { afterEach, describe, expect, it } from 'vitest'
import { HandshakeError } from '../errors.js'
import { PROTOCOL_VERSION } from '../wire/messages.js'
import type { Message } from '../wire/messages.js'
import { encodeMessage } from '../wire/codec.js'
import { randomBytes } from './bytes.js'
import { deriveHostSecrets, deriveMemberToken, generateHostKey } from './host-key.js'
import { generateIdentity } from './identity.js'
import { checkHostProof, deriveJoinKey, proveAuth, proveHost, transcriptHash } from './transcript.js'
import { HOST_KEY, RawPeer, TestMesh, TOKEN, rawConnect, until } from '../../test/support/mesh.js'

let mesh: TestMesh
afterEach(async () => { await mesh?.stopAll() })

async function reason (promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(() => undefined, (e: unknown) => e)
  expect(err).toBeInstanceOf(HandshakeError)
  return (err as HandshakeError).reason
}

/** A host whose accepts are recorded. */
async function recordingHost (): Promise<{ address: string, node: TestMesh['nodes'][number], accepted: Array<Promise<string>> }> {
  const address = 'memory://recording-host'
  const { node } = await mesh.host({ autoDial: false })
  const accepted: Array<Promise<string>> = []
  mesh.net.listen(address, conn => {
    const result = node.accept(conn)
    result.catch(() => {})
    accepted.push(result)
  })
  return { address, node, accepted }
}

describe('host key and member token', () => {
  it('derives the member token one way from the host key (vector from Python hashlib: PBKDF2, then HKDF)', async () => {
    // python3: m = pbkdf2_hmac('sha256', b'test-host-key', b'cairn/v3/host-key', 600000, 32);
    //          base64url(HKDF-SHA-256(m, salt=b'', info=b'cairn/v3/member-token', 16))
    expect(await deriveMemberToken(HOST_KEY)).toBe('AySMxTKZ83Kkb2vZXcOKng')
    const key = generateHostKey()
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const token = await deriveMemberToken(key)
    expect(token).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(token).not.toContain(key.slice(0, 8))
    expect(await deriveMemberToken(key)).toBe(token)
    expect(await deriveMemberToken(generateHostKey())).not.toBe(token)
  })

  it('two hosts with the host key connect as hosts; a member, a tab and a client connect with the member token', async () => {
    mesh = new TestMesh()
    const a = await mesh.host()
    const b = await mesh.host()
    await b.node.dial(a.address)
    await until([a.node], ['peer:connect'], () => a.node.peers().some(p => p.role === 'host'))
    expect(b.node.peers()).toMatchObject([{ peerId: a.node.peerId, role: 'host' }])
    const tab = await mesh.add('browser')
    expect(await tab.node.dial(a.address)).toBe(a.node.peerId)
  })

  it('refuses a member that claims to be a host (bad-host-key) before it can do anything', async () => {
    mesh = new TestMesh()
    const host = await recordingHost()
    // Holds the member token (as every share link does) but not the host key.
    const posing = rawConnect(mesh, host.address, { role: 'host', token: TOKEN })
    await expect(posing).rejects.toMatchObject({ code: 'ERR_HANDSHAKE' })
    expect(await reason(host.accepted[0]!)).toBe('bad-host-key')
    expect(host.node.peers()).toEqual([])
    // A real MeshNode host with another host key but this mesh's member token: refused on both sides.
    const other = await mesh.add('host', { hostKey: 'another mesh entirely', autoDial: false })
    expect(await reason(other.node.dial(host.address))).toBe('bad-host-key')
    expect(await reason(host.accepted[1]!)).toBe('bad-host-key')
    expect(host.node.peers()).toEqual([])
  })

  it('the host proof is bound to the connection, and the host proves nothing to a member', async () => {
    mesh = new TestMesh()
    const host = await recordingHost()
    const { proofKey } = await deriveHostSecrets(HOST_KEY)
    // A host proof made for another transcript (another session) does not verify here.
    const identity = await generateIdentity()
    const raw = new RawPeer(await mesh.net.transport().dial(host.address))
    const hello = encodeMessage({ t: 'hello', version: PROTOCOL_VERSION, peerId: identity.peerId, publicKey: identity.publicKey, role: 'host', nonce: randomBytes(32), addrs: [] })
    await raw.conn.send(hello)
    const theirHello = (await raw.frames.next()).value as Uint8Array
    const transcript = await transcriptHash({ initiatorHello: hello, responderHello: theirHello })
    const stale = await proveHost('initiator', randomBytes(32), proofKey)
    await raw.send({ t: 'auth', ...await proveAuth('initiator', transcript, identity, await deriveJoinKey(TOKEN)), host: stale })
    const seen: Message[] = []
    for (let msg = await raw.next(); msg !== undefined; msg = await raw.next()) seen.push(msg)
    expect(seen).toEqual([expect.objectContaining({ t: 'error', message: 'bad-host-key' })])
    expect(await reason(host.accepted[0]!)).toBe('bad-host-key')
    expect(await checkHostProof('initiator', transcript, proofKey, await proveHost('initiator', transcript, proofKey))).toBe(true)

    // A client gets the host's auth without a host proof.
    const client = new RawPeer(await mesh.net.transport().dial(host.address))
    const clientId = await generateIdentity()
    const clientHello = encodeMessage({ t: 'hello', version: PROTOCOL_VERSION, peerId: clientId.peerId, publicKey: clientId.publicKey, role: 'client', nonce: randomBytes(32), addrs: [] })
    await client.conn.send(clientHello)
    const hostHello = (await client.frames.next()).value as Uint8Array
    const t2 = await transcriptHash({ initiatorHello: clientHello, responderHello: hostHello })
    await client.send({ t: 'auth', ...await proveAuth('initiator', t2, clientId, await deriveJoinKey(TOKEN)) })
    const auth = await client.next()
    expect(auth).toMatchObject({ t: 'auth' })
    expect(auth).not.toHaveProperty('host')
  })
})
