/**
 * The host's one port: a `node:http` server for the web app (and `/info`;
 * `node:https` with TLS), with the mesh's WebSocket endpoint on `/mesh`. Mesh
 * connections that arrive before the node is ready wait for it.
 */
import { createServer, type Server } from 'node:http'
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https'
import type { AddressInfo, Server as NetServer } from 'node:net'
import type { Connection, Mesh } from '@cairn/core'
import { MESH_PATH } from '@cairn/core'
import { UsageError } from '../config/index.js'
import { infoHandler, staticHandler, type HostInfo } from '../http/index.js'
import { attachMeshEndpoint } from '../transport/websocket.js'
import { tlsPort } from './tls-port.js'

export interface WebServer {
  readonly port: number
  /** Hand mesh connections to `mesh` (those already waiting included). */
  serve (mesh: Mesh): void
  /** Serve new TLS connections with this certificate; open ones keep theirs. */
  setCertificate (tls: { cert: Buffer, key: Buffer }): void
  /** Stop accepting, close every HTTP and mesh connection. */
  close (): Promise<void>
}

async function listen (server: NetServer, port: number, host: string): Promise<number> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, () => {
        server.off('error', reject)
        resolve()
      })
    })
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code
    const why = code === 'EADDRINUSE' ? 'address in use (--port 0 picks a free port)' : code ?? 'error'
    throw new UsageError(`cannot listen on ${host}:${port}: ${why}`, { cause })
  }
  return (server.address() as AddressInfo).port
}

/** A socket that sends no request, or stalls mid-request, is closed after this long. */
export const DEFAULT_HTTP_IDLE_TIMEOUT = 20_000

export interface WebServerInit {
  /** Milliseconds an HTTP socket may sit idle (mesh sockets are exempt once upgraded). */
  idleTimeout?: number
  /** What `GET /info` tells a page before it joins (default: a join token is required). */
  info?: HostInfo
  /** Serve `https://` and `wss://` with this PEM certificate (chain) and key. */
  tls?: { cert: Buffer, key: Buffer }
  /** Origins besides the host's own whose pages may open `/mesh` (`--allow-origin`). */
  allowOrigins?: string[]
  /** Refused mesh connections and failed handshakes (see `attachMeshEndpoint`). */
  log?: (line: string) => void
}

export async function openWebServer (webRoot: string, port: number, host: string, init: WebServerInit = {}): Promise<WebServer> {
  const handler = infoHandler(init.info ?? { joinTokenRequired: true }, staticHandler(webRoot))
  const tls = init.tls
  // Without these, a socket that never finishes its request (or TLS handshake) holds a
  // descriptor forever. `ws` clears the socket timeout when it upgrades a mesh connection.
  const idle = init.idleTimeout ?? DEFAULT_HTTP_IDLE_TIMEOUT
  const headersTimeout = Math.min(idle, 10_000)
  const secure: HttpsServer | undefined = tls === undefined
    ? undefined
    : createHttpsServer({ cert: tls.cert, key: tls.key, handshakeTimeout: headersTimeout }, handler)
  const server: Server = secure ?? createServer(handler)
  server.timeout = idle
  server.headersTimeout = headersTimeout
  server.requestTimeout = idle
  // With TLS, the port also answers plain http (a redirect to https://).
  const front = secure === undefined ? undefined : tlsPort(secure, headersTimeout)
  let ready: (mesh: Mesh) => void = () => {}
  const meshReady = new Promise<Mesh>(resolve => { ready = resolve })
  // The handshake's outcome goes back to the endpoint, which slows down wrong tokens.
  const onConnection = (conn: Connection): Promise<string> => {
    const accepted = meshReady.then(async mesh => await mesh.accept(conn))
    accepted.catch(() => { conn.close() })
    return accepted
  }
  const endpoint = attachMeshEndpoint(server, onConnection, { path: MESH_PATH, allowOrigins: init.allowOrigins, log: init.log })
  const bound = await listen(front?.front ?? server, port, host)
  return {
    port: bound,
    serve: mesh => { ready(mesh) },
    setCertificate: tls => {
      if (secure === undefined) throw new UsageError('this host runs without TLS')
      secure.setSecureContext({ cert: tls.cert, key: tls.key })
    },
    close: async () => {
      const listening = front?.front ?? server
      const closed = new Promise<void>(resolve => listening.close(() => { resolve() }))
      if (front !== undefined) front.closeAllConnections()
      else server.closeAllConnections()
      await endpoint.close()
      await closed
    }
  }
}
