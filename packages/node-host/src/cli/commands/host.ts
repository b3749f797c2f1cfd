/**
 * `cairn host`: run a host until SIGINT/SIGTERM, then shut down cleanly
 * (stop dialing and accepting, close the mesh and the store, remove host.json)
 * and exit 0. With `--json`, prints exactly one line once listening. With
 * TLS, SIGHUP re-reads the certificate files (renewals) without dropping
 * connections.
 */
import { once } from 'node:events'
import { UsageError, describeCertificate, formatJoinUrl, formatSize, maskIceUrl, parseAllowedOrigin, parseIceServers } from '../../config/index.js'
import { startHost, type Host, type HostInit } from '../../host/index.js'
import { EXIT } from '../exit-codes.js'
import { logLine, printJson, printLine } from '../output.js'

/** The flags of `cairn host`, as commander parses them. */
export interface HostOptions {
  port: number
  data: string
  peer: string[]
  replicas: number
  token?: string
  tokenFile?: string
  weakToken?: boolean
  allowOrigin: string[]
  open?: boolean
  maxStorage?: number
  zone?: string
  repairRate?: number
  maxExpiry?: number
  gcInterval?: number
  listen: string
  store: boolean
  /** `--relay` alone: true; `--relay BUDGET`: its bytes; `--no-relay`: false; neither: undefined. */
  relay?: boolean | number
  iceServer: string[]
  name?: string
  tlsCert?: string
  tlsKey?: string
  webRoot?: string
  json?: boolean
}

function tlsFiles (options: HostOptions): HostInit['tls'] {
  const { tlsCert, tlsKey } = options
  if (tlsCert === undefined && tlsKey === undefined) return undefined
  if (tlsCert === undefined || tlsKey === undefined) throw new UsageError('--tls-cert and --tls-key go together')
  return { cert: tlsCert, key: tlsKey }
}

/** Shown with or without --json (on stderr, so the one JSON line on stdout stays alone). */
function warn (line: string): void {
  logLine(`cairn: warning: ${line}`)
}

function hostInit (options: HostOptions, log: ((line: string) => void) | undefined, onFatal: (err: Error) => void): HostInit {
  const { port, data, peer, replicas, token, tokenFile, weakToken, open, maxStorage, zone, repairRate, maxExpiry, gcInterval, listen, store, name, webRoot } = options
  const iceServers = parseIceServers(options.iceServer)
  const allowOrigins = options.allowOrigin.map(parseAllowedOrigin)
  // Refused connections and failed handshakes go to stderr even with --json.
  return {
    ...relayInit(options.relay),
    port, data, peers: peer, replicas, token, tokenFile, weakToken, open, maxStorage, zone, repairRate, maxExpiry, gcInterval, listen, store, iceServers,
    allowOrigins, name, webRoot, tls: tlsFiles(options), log, warn, onFatal, notice: line => { logLine(`cairn: ${line}`) }
  }
}

function relayInit (relay: HostOptions['relay']): Pick<HostInit, 'relay'> {
  if (relay === undefined) return {}
  if (relay === false) return { relay: false }
  return { relay: relay === true ? {} : { budget: relay } }
}

/** How the host relays, for people: `relay: on, budget 2.00 GiB`. */
function relayLine (options: HostOptions): string {
  const { relay, store } = options
  if (relay === false || (relay === undefined && store === false)) return 'relay: off (tabs that cannot link directly cannot share through this host; --relay turns it on)'
  return `relay: on, ${typeof relay === 'number' ? `budget ${formatSize(relay)} per run` : 'no byte budget'}`
}

/** Longest a clean shutdown may take before the process exits anyway, in ms. */
export const SHUTDOWN_TIMEOUT = 10_000

function printReady (host: Host, options: HostOptions): void {
  // Loud in both modes: stderr is for people even when stdout is JSON.
  for (const warning of host.warnings) logLine(`cairn: WARNING: ${warning}`)
  if (options.json === true) {
    const warnings = host.warnings.length > 0 ? { warnings: host.warnings } : {}
    printJson({ event: 'listening', url: host.url, peerUrl: host.peerUrl, port: host.port, peerId: host.peerId, tls: host.tls !== undefined, ...warnings })
    return
  }
  const storage = options.store === false
    ? 'no store (introducer only)'
    : `blocks in ${host.paths.blocks}${options.maxStorage === undefined ? '' : ` (max ${formatSize(options.maxStorage)})`}`
  printLine(`cairn host ${host.peerId} listening on ${host.origin}`)
  printLine(`${storage}; replicas ${options.replicas ?? 3}${options.zone === undefined ? '' : `; zone ${options.zone}`}; ${relayLine(options)}`)
  if (host.tls !== undefined) printLine(`TLS: ${describeCertificate(host.tls.certificate)} (SIGHUP reloads it)`)
  if (options.iceServer.length > 0) printLine(`ICE servers for tabs: ${options.iceServer.map(maskIceUrl).join(' ')}`)
  if (host.peers.length > 0) printLine(`peers: ${host.peers.join(' ')} (remembered in ${host.paths.peers})`)
  printLine(`peer URL (for other hosts only: cairn host --peer URL; it carries the host key): ${host.peerUrl}`)
  printLine(`join URL: ${host.url}`)
  const others = host.origins.filter(origin => origin !== host.origin)
  if (others.length > 0) printLine(`from other machines: ${others.map(origin => formatJoinUrl(origin, host.token)).join('  ')}`)
}

/** On SIGHUP, re-read the certificate files; a bad pair keeps the old certificate. Returns the remover. */
function reloadOnHangup (host: Host): () => void {
  const reload = (): void => {
    host.reloadTls().then(
      tls => { logLine(`cairn: reloaded TLS ${describeCertificate(tls.certificate)}`) },
      (err: unknown) => { logLine(`cairn: TLS reload failed, still serving the previous certificate: ${err instanceof Error ? err.message : String(err)}`) })
  }
  process.on('SIGHUP', reload)
  return () => { process.off('SIGHUP', reload) }
}

export async function hostCommand (options: HostOptions): Promise<number> {
  const log = options.json === true ? undefined : logLine
  let fatal: (err: Error) => void = () => {}
  const failed = new Promise<never>((_resolve, reject) => { fatal = reject })
  failed.catch(() => {})
  const host = await startHost(hostInit(options, log, err => { fatal(err) }))
  // Listen before saying we listen: whoever reads the ready line may signal at once.
  const stop = Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM'), failed])
  stop.catch(() => {})
  printReady(host, options)
  const stopReloading = host.tls === undefined ? () => {} : reloadOnHangup(host)
  try {
    await stop
  } catch (err) {
    stopReloading()
    await host.close()
    throw err
  }
  stopReloading()
  const timer = setTimeout(() => {
    logLine('cairn: shutdown timed out; exiting')
    process.exit(EXIT.FAILURE)
  }, SHUTDOWN_TIMEOUT)
  timer.unref()
  process.once('SIGINT', () => process.exit(EXIT.INTERRUPTED))
  process.once('SIGTERM', () => process.exit(EXIT.INTERRUPTED))
  await host.close()
  clearTimeout(timer)
  return EXIT.OK
}
