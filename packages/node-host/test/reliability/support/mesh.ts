/**
 * In-process mesh peers that talk to real host processes over real
 * WebSockets: a `client` MeshNode (what `cairn put/get` runs), and raw peers
 * driven frame by frame (core's test/support/mesh.ts `RawPeer`, `rawHandshake`).
 */
import { randomBytes } from 'node:crypto'
import { MeshNode, blockId, generateIdentity } from '@cairn/core'
import { decodeMessage, encodeMessage } from '@cairn/core/wire'
import type { BlockId, Connection, Identity, PeerStatus, Role } from '@cairn/core'
import type { Message } from '@cairn/core/wire'
import { RawPeer, rawHandshake } from '../../../../core/test/support/mesh.js'
import WebSocket from 'ws'
import { WebSocketTransport, wrapWebSocket, wsOptions } from '../../../src/transport/websocket.js'

export { RawPeer }

export interface Target {
  /** `ws://127.0.0.1:PORT/mesh`. */
  address: string
  token: string
}

/** The mesh address and token of a join URL `http://H:P/#join=TOKEN`. */
export function targetOf (joinUrl: string): Target {
  const url = new URL(joinUrl)
  const token = new URLSearchParams(url.hash.slice(1)).get('join') ?? ''
  return { address: `ws://${url.host}/mesh`, token }
}

export interface ClientInit {
  role?: Role
  token?: string
  /** Milliseconds before a block request is retried elsewhere. */
  requestTimeout?: number
}

/** A client node (no store, no auto-dial) connected to every host URL given. */
export async function connectClient (urls: string[], init: ClientInit = {}): Promise<MeshNode> {
  const node = new MeshNode({
    identity: await generateIdentity(),
    role: init.role ?? 'client',
    transports: [new WebSocketTransport()],
    joinToken: init.token ?? targetOf(urls[0]!).token,
    autoDial: false,
    repairInterval: 0,
    ...(init.requestTimeout === undefined ? {} : { requestTimeout: init.requestTimeout })
  })
  await node.start()
  try {
    for (const url of urls) await node.dial(targetOf(url).address, { signal: AbortSignal.timeout(15_000) })
  } catch (err) {
    await node.stop()
    throw err
  }
  return node
}

/** An unauthenticated WebSocket to a host's `/mesh`. */
export async function dialRaw (joinUrl: string): Promise<RawPeer> {
  return new RawPeer(await new WebSocketTransport().dial(targetOf(joinUrl).address))
}

/**
 * The same from a chosen loopback source address (127.x.y.z: "another
 * machine") and with optional request headers (`Origin`); rejects with the
 * HTTP status if the host refuses the upgrade.
 */
export async function dialRawFrom (joinUrl: string, init: { localAddress?: string, origin?: string } = {}): Promise<RawPeer> {
  const url = targetOf(joinUrl).address
  const ws = new WebSocket(url, { ...wsOptions(), ...init })
  // Wrapped inside 'open': frames that came with the upgrade response are emitted right after it.
  return await new Promise<RawPeer>((resolve, reject) => {
    ws.once('open', () => { resolve(new RawPeer(wrapWebSocket(ws, { remoteAddress: url }))) })
    ws.once('unexpected-response', (_req, res) => {
      reject(new Error(`upgrade refused: ${res.statusCode ?? '?'} ${res.statusMessage ?? ''} retry-after=${res.headers['retry-after'] ?? ''}`))
      ws.terminate()
    })
    ws.on('error', reject)
  })
}

/** The host key of a peer URL `http://H:P/#host=KEY`. */
export function hostKeyOf (peerUrl: string): string {
  return decodeURIComponent(new URL(peerUrl).hash.replace(/^#host=/, ''))
}

/** A raw peer that completed a real handshake with the host (then speaks raw frames); a raw `host` proves `hostKey`. */
export async function rawAuthenticated (joinUrl: string, init: { role?: Role, identity?: Identity, hostKey?: string } = {}): Promise<RawPeer & { identity: Identity }> {
  const { address, token } = targetOf(joinUrl)
  const conn = await new WebSocketTransport().dial(address)
  return await rawHandshake(conn, { token, ...init })
}

/** Frames received until the connection ends or `ms` pass; `ended` says which. */
export async function drain (raw: RawPeer, ms = 15_000): Promise<{ frames: Message[], ended: boolean }> {
  const frames: Message[] = []
  const deadline = AbortSignal.timeout(ms)
  const timedOut = new Promise<'timeout'>(resolve => { deadline.addEventListener('abort', () => { resolve('timeout') }) })
  for (;;) {
    const next = await Promise.race([raw.frames.next(), timedOut])
    if (next === 'timeout') return { frames, ended: false }
    if (next.done === true) return { frames, ended: true }
    frames.push(decodeMessage(next.value))
  }
}

/** Resolves with how long `conn` took to close, or rejects after `ms`. */
export async function closedWithin (conn: Connection, ms: number): Promise<number> {
  const started = performance.now()
  await Promise.race([
    conn.closed,
    new Promise((_resolve, reject) => setTimeout(() => { reject(new Error(`connection still open after ${ms} ms`)) }, ms).unref())
  ])
  return performance.now() - started
}

/**
 * Resolves once `done(node.peers())` holds, checked now and on every peer
 * connect and disconnect (no polling); rejects with `what` after `ms`.
 */
export async function untilPeers (node: MeshNode, what: string, done: (peers: PeerStatus[]) => boolean, ms = 60_000): Promise<void> {
  if (done(node.peers())) return
  const controller = new AbortController()
  try {
    await new Promise<void>((resolve, reject) => {
      const check = (): void => { if (done(node.peers())) resolve() }
      node.addEventListener('peer:connect', check, { signal: controller.signal })
      node.addEventListener('peer:disconnect', check, { signal: controller.signal })
      setTimeout(() => { reject(new Error(`timed out waiting for ${what}`)) }, ms).unref()
    })
  } finally {
    controller.abort()
  }
}

export interface Block { cid: BlockId, bytes: Uint8Array }

/** A block of `size` random bytes. */
export async function randomBlock (size: number): Promise<Block> {
  const bytes = new Uint8Array(randomBytes(size))
  return { cid: await blockId(bytes), bytes }
}

export function frame (msg: Message): Uint8Array {
  return encodeMessage(msg)
}
