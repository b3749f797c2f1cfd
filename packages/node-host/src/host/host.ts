/**
 * A Cairn host: one HTTP (or, with `tls`, HTTPS) server that serves the web
 * app and accepts mesh connections on `/mesh`, a `MeshNode` in the host role
 * over an `FsBlockStore` (or none with `store: false`), and dialers that keep
 * it connected to its `--peer`s and to every host it knew before a restart
 * (peer-memory.ts). `close()` shuts everything down in order.
 */
import { hostname } from 'node:os'
import { statfs } from 'node:fs/promises'
import { CertificateError, DEFAULT_REPLICAS, MeshNode, type BackgroundFailure, type GcResult, type IceServer, type Identity, type Mesh, type PeerStatus, type RelayInit } from '@cairn/core'
import {
  UsageError, assertNoRunningHost, certificateWarnings, dataDirPaths, ensureDataDir, formatJoinUrl, formatPeerUrl, formatSize, httpsOrigins,
  loadOrCreateIdentity, loadTls, meshAddressOf, originFor, parsePeerAddress, plainListenWarning, reachableOrigins,
  FileTombstoneStore, removeHostFile, writeHostFile, type DataDirPaths, type TlsFiles, type TlsMaterial
} from '../config/index.js'
import { defaultWebRoot } from '../http/index.js'
import { FsBlockStore } from '../store/fs.js'
import { installNodeCrypto, nodeCryptoProvider } from '../crypto/node-provider.js'
import { WebSocketTransport } from '../transport/websocket.js'
import { resolveCredentials } from './credentials.js'
import { warnWhenAlone } from './lone-host.js'
import { PeerDialer } from './peer-dialer.js'
import { PeerMemory } from './peer-memory.js'
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
  /** Read the join token from this file (`--token-file`); `$CAIRN_TOKEN` is read too (see `join-token.ts`). */
  tokenFile?: string
  /** Accept a chosen token shorter or simpler than `tokenWeakness` allows. */
  weakToken?: boolean
  open?: boolean
  /** Storage quota in bytes; also the placement weight (default: the data dir's filesystem size). */
  maxStorage?: number
  /** Failure domain; absent: the host is its own zone. */
  zone?: string
  /** Bytes per second sent for repair (0: unlimited; default the mesh's). */
  repairRate?: number
  /** Lines for the operator even in --json mode (what garbage collection reclaimed); default `log`. */
  notice?: (line: string) => void
  /** Ms between garbage-collection passes (`--gc-interval`; default the mesh's); a block stored more recently is left alone. */
  gcInterval?: number
  /** Longest expiry a put may ask for, ms (`--max-expiry`); then puts without one are refused (default: no cap). */
  maxExpiry?: number
  /** Keep blocks (default true); false: only introduce peers and relay signaling. */
  store?: boolean
  /**
   * Relay blocks this host lacks to the tabs and clients that ask, fetched from
   * its other peers (`--relay[=BUDGET]`; `budget`: bytes per run at most).
   * Default: on without a budget with a store, off without one; false: off.
   */
  relay?: RelayInit | false
  /** STUN/TURN servers handed to browser tabs for their WebRTC links (default none). */
  iceServers?: IceServer[]
  /** Directory of the built web app (default packages/web/dist). */
  webRoot?: string
  /** Name shown to other peers (default: this machine's hostname). */
  name?: string
  /** Serve `https://`/`wss://` with these PEM files (reloaded by `reloadTls()`). */
  tls?: TlsFiles
  /** Origins besides the host's own whose web pages may join (`--allow-origin`), as `URL.origin`. */
  allowOrigins?: string[]
  /** Diagnostics (peer connects and losses, background failures). */
  log?: (line: string) => void
  /**
   * A failure the host cannot run on with, found after it started: a `--peer`
   * whose certificate fails verification before it was ever reached. The
   * host keeps running; the CLI closes it and exits. Default: logged.
   */
  onFatal?: (err: Error) => void
  /**
   * Conditions the user should act on (no peers with R > 1) and security events
   * (refused mesh connections, failed handshakes; never a token), shown even
   * where `log` is not (default: `log`).
   */
  warn?: (line: string) => void
  /** How long remembered and `--peer` hosts may take to answer before `warn` says none has, ms. */
  loneGrace?: number
}

export interface Host {
  readonly peerId: string
  readonly port: number
  /** `http://H:P`, or `https://H:P` with TLS. */
  readonly origin: string
  /** The join URL, `http(s)://H:P/#join=TOKEN`: for tabs and clients (the member token). */
  readonly url: string
  /** The peer URL, `http(s)://H:P/#host=KEY`: what another host passes to `--peer` (the host key). */
  readonly peerUrl: string
  /** Every origin it is reachable on and advertises to peers, most widely reachable first. */
  readonly origins: string[]
  /** The member (join) token; '' for an open mesh. */
  readonly token: string
  /** The mesh's host key (only hosts hold it). */
  readonly hostKey: string
  /** Addresses it keeps dialing: `--peer`s and remembered hosts. */
  readonly peers: string[]
  readonly mesh: Mesh
  readonly paths: DataDirPaths
  /** The certificate served (undefined without TLS). */
  readonly tls: TlsMaterial | undefined
  /**
   * Things to tell the operator on start: plain http beyond loopback, a
   * certificate that has expired or names none of the addresses listened on.
   */
  readonly warnings: string[]
  /**
   * Re-read the `tls` files and serve new connections with them; open
   * connections (and so the mesh) keep going. Rejects, leaving the old
   * certificate in place, if the files are not a valid pair.
   */
  reloadTls (): Promise<TlsMaterial>
  close (): Promise<void>
}

/** Log hosts and tabs coming and going, alike both ways (one-shot CLI clients would only be noise). */
function logPeers (mesh: Mesh, log: (line: string) => void): void {
  const shown = new Map<string, string>()
  mesh.addEventListener('peer:connect', e => {
    const peer = (e as CustomEvent<PeerStatus>).detail
    if (peer.role === 'client') return
    const who = `${peer.peerId}${peer.addrs.length > 0 ? ` (${peer.addrs.join(' ')})` : ''}`
    shown.set(peer.peerId, `${peer.role} disconnected: ${who}`)
    log(`${peer.role} connected: ${who}`)
  })
  mesh.addEventListener('peer:disconnect', e => {
    const { peerId } = (e as CustomEvent<{ peerId: string }>).detail
    const line = shown.get(peerId)
    if (line === undefined) return
    shown.delete(peerId)
    log(line)
  })
}

/** Kinds that are security events (a host failing an audit, an address no host may dial): shown even with --json. */
const SECURITY_KINDS = new Set(['audit', 'address'])

/** Log what each garbage-collection pass reclaimed (also summed in `cairn status`, `reclaimedBytes`). */
function logReclaimed (mesh: Mesh, log: (line: string) => void): void {
  mesh.addEventListener('gc', e => {
    const { expired, deleted, surplus, reclaimedBytes } = (e as CustomEvent<GcResult>).detail
    const blocks = expired + deleted + surplus
    if (blocks === 0) return
    log(`gc reclaimed ${blocks} block${blocks === 1 ? '' : 's'}, ${formatSize(reclaimedBytes)} (${expired} expired, ${deleted} deleted, ${surplus} surplus)`)
  })
}

/** Log every failure of background work (also counted in `cairn status`). */
function logFailures (mesh: Mesh, log: (line: string) => void, warn: (line: string) => void): void {
  mesh.addEventListener('background:failure', e => {
    const { kind, code, message } = (e as CustomEvent<BackgroundFailure>).detail
    ;(SECURITY_KINDS.has(kind) ? warn : log)(`background ${kind} failed: ${code} ${message}`)
  })
}

/** A host with TLS dials only `wss://`, and plain `ws://` on loopback (no downgrade). */
function checkPeers (peers: string[], transport: WebSocketTransport): void {
  for (const address of peers) {
    if (!transport.canDial(address)) {
      throw new UsageError(`--peer ${address}: a host with TLS does not dial plain ws:// to other machines; use https:// or wss://`)
    }
  }
}

interface Prepared { paths: DataDirPaths, token: string, hostKey: string, identity: Identity, memory: PeerMemory }

/** Check the flags and claim the data dir: its token, identity and remembered peers. */
async function prepare (init: HostInit, transport: WebSocketTransport, log: (line: string) => void, warn: (line: string) => void): Promise<Prepared> {
  const peers = (init.peers ?? []).map(p => parsePeerAddress(p).address)
  if (init.tls !== undefined) checkPeers(peers, transport)
  const paths = dataDirPaths(init.data)
  await ensureDataDir(paths)
  await assertNoRunningHost(paths)
  const { token, hostKey } = await resolveCredentials(paths, { ...init, peers: init.peers ?? [], warn })
  const identity = await loadOrCreateIdentity(paths)
  return { paths, token, hostKey, identity, memory: await PeerMemory.open(paths, token, peers, { log, warn }) }
}

/** Remembered addresses this host's transport may dial (a host with TLS skips plain ws:// to other machines). */
function dialablePeers (addresses: string[], transport: WebSocketTransport, log: (line: string) => void): string[] {
  const dialable = addresses.filter(address => transport.canDial(address))
  const skipped = addresses.length - dialable.length
  if (skipped > 0) log(`not dialing ${skipped} remembered plain ws:// peer${skipped === 1 ? '' : 's'}: this host uses TLS`)
  return dialable
}

/** The origins to print and advertise, and what to warn about, for plain http or TLS. */
function originsFor (listen: string, port: number, tls: TlsMaterial | undefined): { origin: string, origins: string[], warnings: string[] } {
  const origin = originFor(listen, port)
  const origins = reachableOrigins(listen, port)
  if (tls === undefined) {
    const warning = plainListenWarning(listen)
    return { origin, origins, warnings: warning === undefined ? [] : [warning] }
  }
  const secure = httpsOrigins(tls.certificate, origin, origins)
  const warnings = certificateWarnings(tls.certificate)
  if (secure.warning !== undefined) warnings.push(secure.warning)
  return { origin: secure.origin, origins: secure.origins, warnings }
}

function weightOf (bytes: number | undefined): { weight?: number } {
  return bytes === undefined ? {} : { weight: bytes }
}

/** The size of the filesystem holding `dir`, in bytes (undefined if it cannot be read). */
async function filesystemSize (dir: string): Promise<number | undefined> {
  try {
    const fs = await statfs(dir)
    return fs.blocks * fs.bsize
  } catch {
    return undefined
  }
}

export async function startHost (init: HostInit): Promise<Host> {
  installNodeCrypto()
  const log = init.log ?? (() => {})
  const warn = init.warn ?? log
  const transport = new WebSocketTransport({ secureOnly: init.tls !== undefined })
  let tls = init.tls === undefined ? undefined : await loadTls(init.tls)
  const { paths, token, hostKey, identity, memory } = await prepare(init, transport, log, warn)
  // Corrupt blocks need no hook here: the store throws IntegrityError on read and the mesh restores them.
  const store = init.store === false ? undefined : await FsBlockStore.open(paths.blocks, { maxStorage: init.maxStorage })
  const listenOn = init.listen ?? DEFAULT_LISTEN
  const web = await openWebServer(init.webRoot ?? defaultWebRoot(), init.port ?? DEFAULT_PORT, listenOn, {
    info: { joinTokenRequired: token !== '' },
    tls,
    allowOrigins: init.allowOrigins,
    log: init.warn ?? init.log
  })
    .catch(async (err: unknown) => { await store?.close?.(); throw err })
  const { origin, origins, warnings } = originsFor(listenOn, web.port, tls)
  const mesh = new MeshNode({
    identity,
    role: 'host',
    store,
    ...(store === undefined ? {} : { tombstoneStore: new FileTombstoneStore(paths, warn) }),
    transports: [transport],
    joinToken: token,
    hostKey,
    name: init.name ?? hostname(),
    replicas: init.replicas,
    ...(init.zone === undefined ? {} : { zone: init.zone }),
    ...(store === undefined ? {} : weightOf(init.maxStorage ?? await filesystemSize(paths.blocks))),
    ...(init.repairRate === undefined ? {} : { repairRate: init.repairRate }),
    ...(init.maxExpiry === undefined ? {} : { maxExpiry: init.maxExpiry }),
    ...(init.gcInterval === undefined ? {} : { gcInterval: init.gcInterval, gcGrace: init.gcInterval }),
    ...(init.relay === undefined ? {} : { relay: init.relay }),
    iceServers: init.iceServers,
    listenAddrs: origins.map(meshAddressOf),
    crypto: nodeCryptoProvider
  })
  await mesh.start()
  web.serve(mesh)
  logPeers(mesh, log)
  logFailures(mesh, log, warn)
  logReclaimed(mesh, init.notice ?? log)
  memory.watch(mesh)
  const url = formatJoinUrl(origin, token)
  const peerUrl = formatPeerUrl(origin, hostKey, { open: token === '' })
  await writeHostFile(paths, { port: web.port, url, pid: process.pid })
  const onFatal = init.onFatal ?? ((err: Error) => { log(err.message) })
  const peers = dialablePeers(memory.dialList(origins.map(meshAddressOf)), transport, log)
  const stopWarning = init.store === false
    ? () => {}
    : warnWhenAlone(mesh, { replicas: init.replicas ?? DEFAULT_REPLICAS, dialing: peers.length, warn, grace: init.loneGrace })
  const dialer = new PeerDialer(mesh, peers, {
    log,
    // A certificate that fails before the peer was ever reached is a setup mistake, not an outage.
    giveUp: (address, err, reached) => {
      if (!(err instanceof CertificateError) || reached) return false
      onFatal(new CertificateError(`cannot peer with ${address}: ${err.message}`, { cause: err }))
      return true
    }
  })
  dialer.start()
  const reloadTls = async (): Promise<TlsMaterial> => {
    if (init.tls === undefined) throw new UsageError('this host runs without TLS: nothing to reload')
    const next = await loadTls(init.tls)
    web.setCertificate(next)
    tls = next
    return next
  }

  const close = async (): Promise<void> => {
    stopWarning()
    await dialer.stop()
    await memory.close()
    const webClosed = web.close()
    await mesh.stop()
    await webClosed
    await store?.close?.()
    await removeHostFile(paths)
  }
  let closing: Promise<void> | undefined
  return {
    peerId: mesh.peerId,
    port: web.port,
    origin,
    url,
    peerUrl,
    origins,
    token,
    hostKey,
    peers,
    mesh,
    paths,
    get tls () { return tls },
    warnings,
    reloadTls,
    close: async () => { closing ??= close(); await closing }
  }
}
