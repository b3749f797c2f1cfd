/**
 * `cairn host`: run a host until SIGINT/SIGTERM, then shut down cleanly
 * (stop dialing and accepting, close the mesh and the store, remove host.json)
 * and exit 0. With `--json`, prints exactly one line once listening.
 */
import { once } from 'node:events'
import { formatJoinUrl, formatSize, maskIceUrl, parseIceServers } from '../../config/index.js'
import { startHost, type HostInit } from '../../host/index.js'
import { EXIT } from '../exit-codes.js'
import { logLine, printJson, printLine } from '../output.js'

/** The flags of `cairn host`, as commander parses them. */
export interface HostOptions {
  port: number
  data: string
  peer: string[]
  replicas: number
  token?: string
  open?: boolean
  maxStorage?: number
  listen: string
  store: boolean
  iceServer: string[]
  name?: string
  webRoot?: string
  json?: boolean
}

function hostInit (options: HostOptions, log: ((line: string) => void) | undefined): HostInit {
  const { port, data, peer, replicas, token, open, maxStorage, listen, store, name, webRoot } = options
  const iceServers = parseIceServers(options.iceServer)
  return { port, data, peers: peer, replicas, token, open, maxStorage, listen, store, iceServers, name, webRoot, log }
}

/** Longest a clean shutdown may take before the process exits anyway, in ms. */
export const SHUTDOWN_TIMEOUT = 10_000

function printReady (host: Awaited<ReturnType<typeof startHost>>, options: HostOptions): void {
  if (options.json === true) {
    printJson({ event: 'listening', url: host.url, port: host.port, peerId: host.peerId })
    return
  }
  const storage = options.store === false
    ? 'no store (introducer only)'
    : `blocks in ${host.paths.blocks}${options.maxStorage === undefined ? '' : ` (max ${formatSize(options.maxStorage)})`}`
  printLine(`cairn host ${host.peerId} listening on ${host.origin}`)
  printLine(`${storage}; replicas ${options.replicas ?? 3}`)
  if (options.iceServer.length > 0) printLine(`ICE servers for tabs: ${options.iceServer.map(maskIceUrl).join(' ')}`)
  printLine(`join URL: ${host.url}`)
  const others = host.origins.filter(origin => origin !== host.origin)
  if (others.length > 0) printLine(`from other machines: ${others.map(origin => formatJoinUrl(origin, host.token)).join('  ')}`)
}

export async function hostCommand (options: HostOptions): Promise<number> {
  const log = options.json === true ? undefined : logLine
  const host = await startHost(hostInit(options, log))
  printReady(host, options)
  const signal = await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')])
  void signal
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
