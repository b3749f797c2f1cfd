import { AbortError, LinkError, TimeoutError, UnavailableError, normalizeMeshAddress } from '@cairn/core'
import { DEFAULT_CONNECT_TIMEOUT } from '@cairn/core/mesh'
import type { Connection, Transport } from '@cairn/core'
import WebSocket from 'ws'
import { isLoopbackHost } from '../config/tls.js'
import { certificateError } from './tls-errors.js'
import { wrapWebSocket } from './websocket-connection.js'
import type { WebSocketConnectionInit } from './websocket-connection.js'
import { wsOptions } from './websocket-options.js'

export interface WebSocketTransportInit extends Omit<WebSocketConnectionInit, 'remoteAddress'> {
  /** Milliseconds the connect (TCP and the WebSocket upgrade) may take (default core `DEFAULT_CONNECT_TIMEOUT`). */
  dialTimeout?: number
  /**
   * Refuse plain `ws://` to anything but loopback (hosts that run with TLS:
   * no downgrade). `wss://` is always verified against Node's trust store
   * (with NODE_EXTRA_CA_CERTS); there is no way to turn that off.
   */
  secureOnly?: boolean
}

/** True for a plain `ws://` URL whose host is not loopback. */
function insecureRemote (url: string): boolean {
  const parsed = new URL(url)
  return parsed.protocol === 'ws:' && !isLoopbackHost(parsed.hostname)
}

/**
 * The URL to dial for a `ws://` or `wss://` address (core `normalizeMeshAddress`:
 * path `/mesh` when none is given). Returns undefined for anything else.
 */
export function meshUrl (address: string): string | undefined {
  try {
    return normalizeMeshAddress(address)
  } catch (err) {
    if (err instanceof LinkError) return undefined
    throw err
  }
}

/**
 * Dials `ws://host:port[/mesh]` or `wss://…` with the mesh's limits
 * (`websocket-options.ts`); `wss://` certificates are verified by Node's TLS.
 */
export class WebSocketTransport implements Transport {
  readonly name = 'websocket'
  private readonly init: WebSocketTransportInit

  constructor (init: WebSocketTransportInit = {}) {
    this.init = init
  }

  canDial (address: string): boolean {
    if (typeof address !== 'string') return false
    const url = meshUrl(address)
    return url !== undefined && !(this.init.secureOnly === true && insecureRemote(url))
  }

  async dial (address: string, options: { signal?: AbortSignal } = {}): Promise<Connection> {
    const url = meshUrl(address)
    if (url === undefined) throw new UnavailableError(`not a WebSocket address: ${address}`)
    if (this.init.secureOnly === true && insecureRemote(url)) {
      throw new UnavailableError(`refusing plain ${url} from a host that runs with TLS (no downgrade): dial wss://`)
    }
    if (options.signal?.aborted === true) throw new AbortError(`dial ${url} aborted`, { cause: options.signal.reason })
    const ws = new WebSocket(url, wsOptions(this.init.maxFrameSize))
    // Wrapped inside the 'open' event: frames that arrived with the upgrade
    // response are emitted right after it, before any awaiting code resumes.
    return await waitForOpen(ws, url, this.init.dialTimeout ?? DEFAULT_CONNECT_TIMEOUT, options.signal,
      () => wrapWebSocket(ws, { ...this.init, remoteAddress: url }))
  }
}

/** Resolve with `wrap()`, called synchronously on 'open'; otherwise terminate `ws` and throw a typed error. */
async function waitForOpen (
  ws: WebSocket, url: string, timeout: number, signal: AbortSignal | undefined, wrap: () => Connection
): Promise<Connection> {
  return await new Promise<Connection>((resolve, reject) => {
    const fail = (err: Error): void => {
      cleanup()
      ws.on('error', () => {})
      ws.terminate()
      reject(err)
    }
    const onOpen = (): void => { cleanup(); resolve(wrap()) }
    const onError = (cause: Error): void => { fail(certificateError(cause, url) ?? dialError(cause, url)) }
    const onClose = (): void => { fail(new UnavailableError(`${url} closed during connect`)) }
    // 426 is what a TLS host's port answers a plain upgrade.
    const onResponse = (_req: unknown, res: { statusCode?: number }): void => {
      const hint = res.statusCode === 426 ? ': the host runs with TLS; dial wss:// (or use its https:// URL)' : ''
      fail(new UnavailableError(`cannot connect to ${url}: HTTP ${res.statusCode ?? '?'}${hint}`))
    }
    const onAbort = (): void => { fail(new AbortError(`dial ${url} aborted`, { cause: signal?.reason })) }
    const timer = setTimeout(() => { fail(new TimeoutError(`dial ${url} timed out after ${timeout} ms`)) }, timeout)
    const cleanup = (): void => {
      clearTimeout(timer)
      ws.off('open', onOpen)
      ws.off('error', onError)
      ws.off('close', onClose)
      ws.off('unexpected-response', onResponse)
      signal?.removeEventListener('abort', onAbort)
    }
    ws.on('open', onOpen)
    ws.on('error', onError)
    ws.on('close', onClose)
    ws.on('unexpected-response', onResponse)
    signal?.addEventListener('abort', onAbort)
  })
}

function dialError (cause: Error, url: string): Error {
  const code = (cause as NodeJS.ErrnoException).code ?? ''
  // A wss:// dial that meets plain http gets an SSL record it cannot parse.
  const hint = url.startsWith('wss:') && /^ERR_SSL_/.test(code) ? ': no TLS there (a host without --tls-cert takes ws://)' : ''
  return new UnavailableError(`cannot connect to ${url}${hint}`, { cause })
}
