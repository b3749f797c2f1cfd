/** Test helpers: a real HTTP server on 127.0.0.1:0 with the mesh endpoint, and cleanup. */
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Connection } from '@cairn/core'
import { attachMeshEndpoint } from '../../src/transport/mesh-endpoint.js'
import type { MeshEndpoint, MeshEndpointInit } from '../../src/transport/mesh-endpoint.js'
import { WebSocketTransport } from '../../src/transport/websocket-transport.js'
import type { WebSocketTransportInit } from '../../src/transport/websocket-transport.js'

export interface TestServer {
  server: Server
  endpoint: MeshEndpoint
  port: number
  /** Connections accepted, in order. */
  accepted: Connection[]
  /** Resolves with the next accepted connection. */
  nextConnection: () => Promise<Connection>
  close: () => Promise<void>
}

/**
 * `authenticate` (default true): treat each accepted connection as if a
 * handshake had verified its peer (`conn.authenticated()`), so it carries
 * full-size frames; false keeps the endpoint's pre-auth frame cap.
 */
export async function startTestServer (init?: MeshEndpointInit, options: { authenticate?: boolean } = {}): Promise<TestServer> {
  const server = createServer((_req, res) => { res.writeHead(200).end('ok') })
  const accepted: Connection[] = []
  const waiting: Array<(conn: Connection) => void> = []
  const endpoint = attachMeshEndpoint(server, conn => {
    if (options.authenticate !== false) conn.authenticated?.()
    accepted.push(conn)
    waiting.shift()?.(conn)
  }, init)
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  let taken = 0
  return {
    server,
    endpoint,
    port,
    accepted,
    nextConnection: async () => {
      const index = taken++
      if (accepted[index] !== undefined) return accepted[index]
      return new Promise(resolve => { waiting.push(resolve) })
    },
    close: async () => {
      await endpoint.close()
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => { resolve() }))
    }
  }
}

/** A connected pair over a real socket: [client side, server side]. */
export async function socketPair (ts: TestServer, init?: WebSocketTransportInit): Promise<[Connection, Connection]> {
  const accepted = ts.nextConnection()
  const client = await new WebSocketTransport(init).dial(`ws://127.0.0.1:${ts.port}`)
  return [client, await accepted]
}
