/**
 * A Cairn host: one HTTP server that serves the web app and accepts mesh
 * connections on `/mesh`, a `MeshNode` in the host role over an `FsBlockStore`
 * (or none with `store: false`), and dialers that keep it connected to its
 * `--peer`s. `close()` shuts everything down in order.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { MeshNode, type Mesh, type PeerStatus } from '@cairn/core'
import {
  MESH_PATH, assertNoRunningHost, dataDirPaths, ensureDataDir, formatJoinUrl, loadOrCreateIdentity,
  originFor, parsePeerAddress, removeHostFile, writeHostFile, type DataDirPaths
} from '../config/index.js'
import { defaultWebRoot, staticHandler } from '../http/index.js'
import { FsBlockStore } from '../store/fs.js'
import { WebSocketTransport, attachMeshEndpoint } from '../transport/websocket.js'
import { resolveJoinToken } from './join-token.js'
import { PeerDialer } from './peer-dialer.js'

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
  /** Directory of the built web app (default packages/web/dist). */
  webRoot?: string
  /** Diagnostics (peer connects and losses). */
  log?: (line: string) => void
}

export interface Host {
  readonly peerId: string
  readonly port: number
  /** `http://H:P`. */
  readonly origin: string
  /** The join URL, `http://H:P/#join=TOKEN`. */
  readonly url: string
  readonly token: string
  readonly mesh: Mesh
  readonly paths: DataDirPaths
  close (): Promise<void>
}

async function listen (server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  return (server.address() as AddressInfo).port
}

async function closeServer (server: Server): Promise<void> {
  const closed = new Promise<void>(resolve => server.close(() => resolve()))
  server.closeAllConnections()
  await closed
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

export async function startHost (init: HostInit): Promise<Host> {
  const log = init.log ?? (() => {})
  const peers = init.peers ?? []
  peers.forEach(p => parsePeerAddress(p))
  const paths = dataDirPaths(init.data)
  await ensureDataDir(paths)
  await assertNoRunningHost(paths)
  const token = await resolveJoinToken(paths, { ...init, peers })
  const identity = await loadOrCreateIdentity(paths)

  // Corrupt blocks need no hook here: the store throws IntegrityError on read and the mesh restores them.
  const store = init.store === false ? undefined : await FsBlockStore.open(paths.blocks, { maxStorage: init.maxStorage })
  const server = createServer(staticHandler(init.webRoot ?? defaultWebRoot()))
  let ready: (m: MeshNode) => void = () => {}
  const meshReady = new Promise<MeshNode>(resolve => { ready = resolve })
  const endpoint = attachMeshEndpoint(server, conn => {
    meshReady.then(async m => await m.accept(conn)).catch(() => conn.close())
  }, { path: MESH_PATH })

  let port: number
  try {
    port = await listen(server, init.port ?? DEFAULT_PORT, init.listen ?? DEFAULT_LISTEN)
  } catch (err) {
    await store?.close?.()
    throw err
  }
  const origin = originFor(init.listen ?? DEFAULT_LISTEN, port)
  const mesh = new MeshNode({
    identity,
    role: 'host',
    store,
    transports: [new WebSocketTransport()],
    joinToken: token,
    replicas: init.replicas,
    listenAddrs: [`${origin.replace(/^http/, 'ws')}${MESH_PATH}`]
  })
  await mesh.start()
  ready(mesh)
  logPeers(mesh, log)

  const url = formatJoinUrl(origin, token)
  await writeHostFile(paths, { port, url, pid: process.pid })
  const dialer = new PeerDialer(mesh, peers.map(p => parsePeerAddress(p).address), { log })
  dialer.start()

  let closing: Promise<void> | undefined
  const close = async (): Promise<void> => {
    await dialer.stop()
    const serverClosed = closeServer(server)
    await endpoint.close?.()
    await mesh.stop()
    await serverClosed
    await store?.close?.()
    await removeHostFile(paths)
  }
  return {
    peerId: mesh.peerId,
    port,
    origin,
    url,
    token,
    mesh,
    paths,
    close: async () => { closing ??= close(); await closing }
  }
}
