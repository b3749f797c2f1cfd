/**
 * A Cairn host: one HTTP server that serves the web app and accepts mesh
 * connections on `/mesh`, a `MeshNode` in the host role over an `FsBlockStore`
 * (or none with `store: false`), and dialers that keep it connected to its
 * `--peer`s. `close()` shuts everything down in order.
 */
import { hostname } from 'node:os'
import { MeshNode, type BackgroundFailure, type IceServer, type Identity, type Mesh, type PeerStatus } from '@cairn/core'
import {
  assertNoRunningHost, dataDirPaths, ensureDataDir, formatJoinUrl, loadOrCreateIdentity, meshAddressOf,
  originFor, parsePeerAddress, reachableOrigins, removeHostFile, writeHostFile, type DataDirPaths
} from '../config/index.js'
import { defaultWebRoot } from '../http/index.js'
import { FsBlockStore } from '../store/fs.js'
import { verifyBlockNode } from '../store/verify.js'
import { WebSocketTransport } from '../transport/websocket.js'
import { resolveJoinToken } from './join-token.js'
import { PeerDialer } from './peer-dialer.js'
import { openWebServer } from './web-server.js'

export const DEFAULT_PORT = 4001
export const DEFAULT_LISTEN = '127.0.0.1'

export interface HostInit {
  /** Data directory (identity, token, blocks, host.json). */
  data: string
  /** TCP port; 0 picks a free one. */
  port?: number
  /** Address to listen on (default 127.0.0.1). */
  listen?: string
  /** Addresses to keep connected to: `ws://H:P[/mesh]` or join URLs. */
  peers?: string[]
  /** Replica target R. */
  replicas?: number
  token?: string
  open?: boolean
  /** Storage quota in bytes. */
  maxStorage?: number
  /** Keep blocks (default true); false: only introduce peers and relay signaling. */
  store?: boolean
  /** STUN/TURN servers handed to browser tabs for their WebRTC links (default none). */
  iceServers?: IceServer[]
  /** Directory of the built web app (default packages/web/dist). */
  webRoot?: string
  /** Name shown to other peers (default: this machine's hostname). */
  name?: string
  /** Diagnostics (peer connects and losses, background failures). */
  log?: (line: string) => void
}

export interface Host {
  readonly peerId: string
  readonly port: number
  /** `http://H:P`. */
  readonly origin: string
  /** The join URL, `http://H:P/#join=TOKEN`. */
  readonly url: string
  /** Every origin it is reachable on and advertises to peers, most widely reachable first. */
  readonly origins: string[]
  readonly token: string
  readonly mesh: Mesh
  readonly paths: DataDirPaths
  close (): Promise<void>
}

/** Log hosts and tabs coming and going (one-shot CLI clients would only be noise). */
function logPeers (mesh: Mesh, log: (line: string) => void): void {
  const shown = new Set<string>()
  mesh.addEventListener('peer:connect', e => {
    const peer = (e as CustomEvent<PeerStatus>).detail
    if (peer.role === 'client') return
    shown.add(peer.peerId)
    log(`${peer.role} connected: ${peer.peerId}${peer.addrs.length > 0 ? ` (${peer.addrs.join(' ')})` : ''}`)
  })
  mesh.addEventListener('peer:disconnect', e => {
    const { peerId } = (e as CustomEvent<{ peerId: string }>).detail
    if (shown.delete(peerId)) log(`disconnected: ${peerId}`)
  })
}

/** Log every failure of background work (also counted in `cairn status`). */
function logFailures (mesh: Mesh, log: (line: string) => void): void {
  mesh.addEventListener('background:failure', e => {
    const { kind, code, message } = (e as CustomEvent<BackgroundFailure>).detail
    log(`background ${kind} failed: ${code} ${message}`)
  })
}

/** Check the flags and claim the data dir: its token and identity. */
async function prepare (init: HostInit): Promise<{ paths: DataDirPaths, token: string, identity: Identity, peers: string[] }> {
  const peers = (init.peers ?? []).map(p => parsePeerAddress(p).address)
  const paths = dataDirPaths(init.data)
  await ensureDataDir(paths)
  await assertNoRunningHost(paths)
  const token = await resolveJoinToken(paths, { ...init, peers: init.peers ?? [] })
  return { paths, token, identity: await loadOrCreateIdentity(paths), peers }
}

export async function startHost (init: HostInit): Promise<Host> {
  const log = init.log ?? (() => {})
  const { paths, token, identity, peers } = await prepare(init)
  // Corrupt blocks need no hook here: the store throws IntegrityError on read and the mesh restores them.
  const store = init.store === false ? undefined : await FsBlockStore.open(paths.blocks, { maxStorage: init.maxStorage })
  const listenOn = init.listen ?? DEFAULT_LISTEN
  const web = await openWebServer(init.webRoot ?? defaultWebRoot(), init.port ?? DEFAULT_PORT, listenOn, { info: { joinTokenRequired: token !== '' } })
    .catch(async (err: unknown) => { await store?.close?.(); throw err })
  const origin = originFor(listenOn, web.port)
  const origins = reachableOrigins(listenOn, web.port)
  const mesh = new MeshNode({
    identity,
    role: 'host',
    store,
    transports: [new WebSocketTransport()],
    joinToken: token,
    name: init.name ?? hostname(),
    replicas: init.replicas,
    iceServers: init.iceServers,
    listenAddrs: origins.map(meshAddressOf),
    verifyBlock: verifyBlockNode
  })
  await mesh.start()
  web.serve(mesh)
  logPeers(mesh, log)
  logFailures(mesh, log)
  const url = formatJoinUrl(origin, token)
  await writeHostFile(paths, { port: web.port, url, pid: process.pid })
  const dialer = new PeerDialer(mesh, peers, { log })
  dialer.start()

  const close = async (): Promise<void> => {
    await dialer.stop()
    const webClosed = web.close()
    await mesh.stop()
    await webClosed
    await store?.close?.()
    await removeHostFile(paths)
  }
  let closing: Promise<void> | undefined
  return { peerId: mesh.peerId, port: web.port, origin, url, origins, token, mesh, paths, close: async () => { closing ??= close(); await closing } }
}
