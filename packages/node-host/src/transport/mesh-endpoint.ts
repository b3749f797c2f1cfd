import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { MESH_PATH } from '@cairn/core'
import type { Connection } from '@cairn/core'
import { WebSocketServer } from 'ws'
import type WebSocket from 'ws'
import { wrapWebSocket } from './websocket-connection.js'
import type { WebSocketConnectionInit } from './websocket-connection.js'
import { wsOptions } from './websocket-options.js'

export interface MeshEndpointInit extends Omit<WebSocketConnectionInit, 'remoteAddress'> {
  /** Path that upgrades to the mesh (default `/mesh`); any other upgrade gets 404. */
  path?: string
}

export interface MeshEndpoint {
  /** Stop accepting, close every mesh connection (1001) and wait until they are gone. */
  close (): Promise<void>
}

const GOING_AWAY = 1001

/**
 * Serve the mesh's WebSocket endpoint on an existing HTTP server: upgrades
 * for `path` become `Connection`s handed to `onConnection`; upgrades for any
 * other path are answered 404 and the socket destroyed. This takes over
 * every `upgrade` on `server`.
 */
export function attachMeshEndpoint (server: Server, onConnection: (conn: Connection) => void, init: MeshEndpointInit = {}): MeshEndpoint {
  const path = init.path ?? MESH_PATH
  const wss = new WebSocketServer({ noServer: true, clientTracking: true, ...wsOptions(init.maxFrameSize) })
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => { socket.destroy() })
    if (pathOf(req) !== path) {
      refuse(socket, '404 Not Found')
      return
    }
    wss.handleUpgrade(req, socket, head, ws => {
      onConnection(wrapWebSocket(ws, { ...init, remoteAddress: peerAddress(req) }))
    })
  }
  server.on('upgrade', onUpgrade)
  return {
    close: async () => {
      server.off('upgrade', onUpgrade)
      await Promise.all([...wss.clients].map(async ws => closeSocket(ws)))
      await new Promise<void>(resolve => { wss.close(() => { resolve() }) })
    }
  }
}

function pathOf (req: IncomingMessage): string | undefined {
  try {
    return new URL(req.url ?? '', 'http://host.invalid').pathname
  } catch {
    return undefined
  }
}

function peerAddress (req: IncomingMessage): string {
  const { remoteAddress = 'unknown', remotePort } = req.socket
  const host = remoteAddress.includes(':') ? `[${remoteAddress}]` : remoteAddress
  return remotePort === undefined ? host : `${host}:${remotePort}`
}

function refuse (socket: Duplex, status: string): void {
  socket.once('finish', () => { socket.destroy() })
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
}

async function closeSocket (ws: WebSocket): Promise<void> {
  if (ws.readyState === ws.CLOSED) return
  await new Promise<void>(resolve => {
    ws.once('close', () => { resolve() })
    ws.resume()
    ws.close(GOING_AWAY, 'server closing')
  })
}
