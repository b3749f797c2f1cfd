/**
 * One tab's mesh node (role 'browser', blocks in memory) and one WebRTC link to
 * another page, for the handshake reliability spec. The runner relays the
 * signals (`window.cairnRelay`) and may rewrite them, as a malicious host could.
 *
 * The link's connection is watched before the mesh sees it: every frame the
 * mesh takes from it is recorded by type, the DTLS fingerprint it reports for
 * the other side can be swapped (a channel binding that does not match what
 * the other side sees), and frames can be pipelined right behind our `auth`
 * (a `put` of a fresh block and a `want` for the other side's block), so the
 * spec can check that a rejected handshake lets none of them through.
 */
import { blockId, CairnError, generateIdentity, HandshakeError, MeshNode, ReplicationError } from '@cairn/core'
import { decodeMessage, encodeMessage } from '@cairn/core/wire'
import type { BlockId, Connection } from '@cairn/core'
import { CID } from 'multiformats/cid'
import { MemoryBlockStore } from '../../core/src/store/memory.js'
import { WebRtcLink } from '../src/transport/webrtc.js'

export interface OpenOptions {
  initiator: boolean
  /** Report a different remote DTLS fingerprint to the mesh than the channel negotiated. */
  tamperBinding?: boolean
  /** Pipeline a `put` and a `want` for this block (the other side's) right behind our `auth`. */
  injectWant?: string
}

export interface Outcome {
  ok: boolean
  /** 'link': WebRTC never opened; 'handshake': the mesh handshake ran. */
  stage: 'link' | 'handshake'
  peerId?: string
  error?: string
  code?: string
  reason?: string
}

const JOIN_TOKEN = 'reliability-handshake'
const toBase64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes))
const fromBase64 = (text: string): Uint8Array => Uint8Array.from(atob(text), c => c.charCodeAt(0))

let mesh: MeshNode | undefined
let store: MemoryBlockStore | undefined
let link: WebRtcLink | undefined
let outcome: Promise<Outcome> | undefined
/** Types of the frames the mesh took from the link, in order. */
const consumed: string[] = []

function pattern (size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size)
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed * 7) & 0xff
  return out
}

function frameType (frame: Uint8Array): string {
  try {
    return decodeMessage(frame, { maxFrameSize: 64 * 1024 }).t
  } catch {
    return 'undecodable'
  }
}

function describe (err: unknown, stage: Outcome['stage']): Outcome {
  // Class names are minified in the build: name the ones the spec checks.
  const error = err instanceof HandshakeError ? 'HandshakeError' : err instanceof CairnError ? 'CairnError' : String(err)
  const out: Outcome = { ok: false, stage, error }
  if (err instanceof CairnError) out.code = err.code
  const reason = (err as { reason?: unknown }).reason
  if (typeof reason === 'string') out.reason = reason
  return out
}

/** The same connection as the mesh would get, watched and optionally lying. */
function watched (inner: Connection, options: OpenOptions, injected: Uint8Array[]): Connection {
  let binding = inner.channelBinding
  if (options.tamperBinding === true && binding !== undefined) {
    const remote = binding.remote.slice()
    remote[remote.length - 1] = (remote.at(-1) ?? 0) ^ 0xff
    binding = { local: binding.local, remote }
  }
  return {
    maxFrameSize: inner.maxFrameSize,
    remoteAddress: inner.remoteAddress,
    transport: inner.transport,
    ...(binding === undefined ? {} : { channelBinding: binding }),
    closed: inner.closed,
    get stats () { return inner.stats },
    close: (reason?: string) => { inner.close(reason) },
    async send (frame: Uint8Array): Promise<void> {
      await inner.send(frame)
      if (frameType(frame) === 'auth') for (const extra of injected.splice(0)) await inner.send(extra)
    },
    [Symbol.asyncIterator] (): AsyncIterator<Uint8Array> {
      const frames = inner[Symbol.asyncIterator]()
      return {
        next: async () => {
          const next = await frames.next()
          if (next.done !== true) consumed.push(frameType(next.value))
          return next
        },
        return: async () => await (frames.return?.() ?? Promise.resolve({ done: true as const, value: undefined }))
      }
    }
  }
}

async function injectedFrames (want: string | undefined): Promise<Uint8Array[]> {
  if (want === undefined) return []
  const bytes = pattern(1024, 99)
  const cid = await blockId(bytes)
  api.injectedPut = cid.toString()
  return [
    encodeMessage({ t: 'put', id: 1, cid: cid.bytes, offset: 0, total: bytes.length, data: bytes, replicas: 1 }),
    encodeMessage({ t: 'want', id: 2, cid: CID.parse(want).bytes })
  ]
}

async function run (options: OpenOptions): Promise<Outcome> {
  let conn: Connection
  try {
    conn = await link!.connection
  } catch (err) {
    return describe(err, 'link')
  }
  try {
    const wrapped = watched(conn, options, await injectedFrames(options.injectWant))
    const peerId = options.initiator ? await mesh!.connect(wrapped) : await mesh!.accept(wrapped)
    return { ok: true, stage: 'handshake', peerId }
  } catch (err) {
    return describe(err, 'handshake')
  }
}

const api = {
  /** The `put` this side pipelined behind its auth, if any. */
  injectedPut: undefined as string | undefined,
  /** Start the node holding (and announcing) one block of its own; resolve with its peer id and that block's CID. */
  async start (seed: number): Promise<{ peerId: string, block: string }> {
    store = new MemoryBlockStore()
    mesh = new MeshNode({
      identity: await generateIdentity({ extractable: false }),
      role: 'browser',
      store,
      transports: [],
      joinToken: JOIN_TOKEN
    })
    await mesh.start()
    const bytes = pattern(4096, seed)
    const cid: BlockId = await blockId(bytes)
    // Held and announced: a peer that joins is told of it (no host takes it here).
    await mesh.putBlock(cid, bytes, { replicas: 1 }).catch((err: unknown) => {
      if (!(err instanceof ReplicationError)) throw err
    })
    return { peerId: mesh.peerId, block: cid.toString() }
  },
  open (options: OpenOptions): void {
    link = new WebRtcLink({
      initiator: options.initiator,
      timeout: 10_000,
      remoteAddress: 'webrtc://other-page',
      sendSignal: data => { void window.cairnRelay?.('hs', toBase64(data)) }
    })
    outcome = run(options)
  },
  signal (data: string): void {
    try {
      link?.signal(fromBase64(data))
    } catch {}
  },
  async outcome (): Promise<Outcome> { return await outcome! },
  consumed: (): string[] => consumed.slice(),
  peers: (): Array<{ peerId: string, transport: string }> => mesh!.peers().map(p => ({ peerId: p.peerId, transport: p.transport })),
  async has (cid: string): Promise<boolean> { return await store!.has(CID.parse(cid)) },
  /** Fetch a block from the mesh; resolve with its length, or the error's code. */
  async fetch (cid: string): Promise<number | string> {
    try {
      return (await mesh!.getBlock(CID.parse(cid), { signal: AbortSignal.timeout(5_000) })).length
    } catch (err) {
      return err instanceof CairnError ? err.code : String(err)
    }
  }
}

declare global {
  interface Window {
    cairnHs?: typeof api
    cairnRelay?: (kind: string, data: string) => Promise<void>
  }
}
window.cairnHs = api
document.body.dataset['ready'] = 'true'
