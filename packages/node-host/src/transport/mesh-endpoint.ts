import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { HandshakeError, MESH_PATH } from '@cairn/core'
import { MAX_FRAME_SIZE } from '@cairn/core/wire'
import type { Connection } from '@cairn/core'
import { WebSocketServer } from 'ws'
import type WebSocket from 'ws'
import { HandshakeLimiter } from './handshake-limiter.js'
import type { HandshakeLimiterInit } from './handshake-limiter.js'
import { OriginPolicy } from './origin-policy.js'
import { PreAuthSlots } from './pre-auth-slots.js'
import type { PreAuthSlot, PreAuthSlotsInit } from './pre-auth-slots.js'
import { addressKey } from './remote-address.js'
import { ThrottledLog } from './throttled-log.js'
import { wrapWebSocket } from './websocket-connection.js'
import type { WebSocketConnectionInit } from './websocket-connection.js'
import { PRE_AUTH_MAX_PAYLOAD, wsOptions } from './websocket-options.js'

export interface MeshEndpointInit extends Omit<WebSocketConnectionInit, 'remoteAddress' | 'onAuthenticated'> {
  /** Path that upgrades to the mesh (default `/mesh`); any other upgrade gets 404. */
  path?: string
  /** Origins (`URL.origin` form) besides the host's own whose pages may connect (`--allow-origin`). */
  allowOrigins?: string[]
  /** Refused upgrades and failed handshakes, throttled per address; never a token. */
  log?: (line: string) => void
  /** Caps on unauthenticated sockets (`pre-auth-slots.ts`). */
  preAuth?: PreAuthSlotsInit
  /** Backoff after wrong tokens (`handshake-limiter.ts`). */
  guessing?: HandshakeLimiterInit
}

/**
 * Called with each upgraded connection. Returning the handshake's outcome
 * (`mesh.accept(conn)`) lets the endpoint slow down addresses that send wrong
 * tokens and log failures.
 */
export type OnMeshConnection = (conn: Connection) => unknown

export interface MeshEndpoint {
  /** Stop accepting, close every mesh connection (1001) and wait until they are gone. */
  close (): Promise<void>
}

const GOING_AWAY = 1001
/** `Retry-After` for a refusal because too many sockets are waiting, in seconds: about one handshake timeout. */
const FULL_RETRY_AFTER = 10
/** Handshake failures that say nothing about the peer (it left, or it is us). */
const UNREMARKABLE = new Set(['closed', 'aborted', 'self', 'duplicate'])

/**
 * Serve the mesh's WebSocket endpoint on an existing HTTP server: upgrades
 * for `path` become `Connection`s handed to `onConnection`; upgrades for any
 * other path are answered 404 and the socket destroyed. This takes over
 * every `upgrade` on `server`.
 *
 * Before a peer has authenticated: a browser page from a foreign origin is
 * refused (403, `origin-policy.ts`); unauthenticated sockets are capped in
 * total and per address (429/503, `pre-auth-slots.ts`); an address that sent
 * wrong tokens waits for its handshake, or is refused (429,
 * `handshake-limiter.ts`); and `ws` takes frames of at most
 * `PRE_AUTH_MAX_PAYLOAD` bytes, lifted to `maxFrameSize` on authentication.
 */
export function attachMeshEndpoint (server: Server, onConnection: OnMeshConnection, init: MeshEndpointInit = {}): MeshEndpoint {
  const path = init.path ?? MESH_PATH
  const maxFrameSize = init.maxFrameSize ?? MAX_FRAME_SIZE
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: true,
    ...wsOptions(maxFrameSize),
    maxPayload: Math.min(maxFrameSize, PRE_AUTH_MAX_PAYLOAD)
  })
  const origins = new OriginPolicy(init.allowOrigins)
  const slots = new PreAuthSlots(init.preAuth)
  const limiter = new HandshakeLimiter(init.guessing)
  const log = new ThrottledLog(init.log)
  /** Sockets held back for their handshake slot, and how to drop them. */
  const holding = new Map<Duplex, () => void>()

  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer, key: string, slot: PreAuthSlot): void => {
    if (socket.destroyed) return
    wss.handleUpgrade(req, socket, head, ws => {
      slot.onEvict(() => { ws.terminate() })
      ws.once('close', () => { slot.release() })
      let authenticated = false
      ws.on('error', err => {
        if (authenticated) return
        log.note(`${key} socket`, `mesh connection from ${key} closed before authenticating: ${err.message}`)
        // ws has written its close frame (1009, 1008, …) and would now read and discard whatever
        // the peer still sends until it answers: up to a megabyte of garbage per socket. Drop it.
        ws.terminate()
      })
      const conn = wrapWebSocket(ws, {
        ...init,
        maxFrameSize,
        remoteAddress: peerAddress(req),
        onAuthenticated: () => {
          authenticated = true
          slot.release()
          limiter.succeeded(key)
        }
      })
      const verdict = onConnection(conn)
      if (verdict instanceof Promise) verdict.catch((err: unknown) => { failed(key, err) })
    })
  }

  const failed = (key: string, err: unknown): void => {
    if (!(err instanceof HandshakeError) || UNREMARKABLE.has(err.reason)) return
    if (err.reason !== 'bad-token' && err.reason !== 'bad-host-key') {
      log.note(`${key} ${err.reason}`, `handshake from ${key} failed (${err.reason})`)
      return
    }
    // Every wrong token (or host claim without the host key) is logged: the backoff already bounds how many an address sends.
    const { failures, delay } = limiter.failed(key)
    const what = err.reason === 'bad-token' ? 'wrong join token' : 'claimed to be a host without the host key'
    init.log?.(`handshake from ${key} failed: ${what} (${failures} in a row); its next attempt waits ${seconds(delay)} s`)
  }

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => { socket.destroy() })
    if (pathOf(req) !== path) {
      refuse(socket, '404 Not Found')
      return
    }
    const origin = req.headers.origin
    const secure = (req.socket as { encrypted?: boolean }).encrypted === true
    if (!origins.allows(origin, req.headers.host, secure)) {
      log.note(`origin ${origin ?? ''}`, `refused a mesh connection from a page on ${origin ?? ''}: not this host's origin (allow it with --allow-origin ${origin ?? ''})`)
      refuse(socket, '403 Forbidden')
      return
    }
    const key = addressKey(req.socket.remoteAddress)
    const claim = slots.claim(key)
    if ('refused' in claim) {
      const [status, why] = claim.refused === 'address-full'
        ? ['429 Too Many Requests', `${slots.perAddress} unauthenticated connections from ${key} already`]
        : ['503 Service Unavailable', `${slots.total} unauthenticated connections already`]
      log.note(`${key} ${claim.refused}`, `refused a mesh connection from ${key}: ${why}`)
      refuse(socket, status, FULL_RETRY_AFTER)
      return
    }
    if (claim.evicted !== undefined) {
      log.note(`${claim.evicted} evicted`, `${slots.total} unauthenticated connections: dropped the oldest from ${claim.evicted} to let ${key} in`)
    }
    const { slot } = claim
    slot.onEvict(() => { socket.destroy() })
    socket.once('close', () => { slot.release() })
    const admission = limiter.admit(key)
    if ('retryAfter' in admission) {
      slot.release()
      log.note(`${key} backoff`, `refused a mesh connection from ${key}: wrong join tokens; next attempt in ${seconds(admission.retryAfter)} s`)
      refuse(socket, '429 Too Many Requests', Math.ceil(admission.retryAfter / 1000))
      return
    }
    if (admission.wait === 0) {
      upgrade(req, socket, head, key, slot)
      return
    }
    const timer = setTimeout(() => {
      holding.delete(socket)
      upgrade(req, socket, head, key, slot)
    }, admission.wait)
    holding.set(socket, () => { clearTimeout(timer); socket.destroy() })
    socket.once('close', () => { clearTimeout(timer); holding.delete(socket) })
  }
  server.on('upgrade', onUpgrade)
  return {
    close: async () => {
      server.off('upgrade', onUpgrade)
      for (const drop of holding.values()) drop()
      holding.clear()
      await Promise.all([...wss.clients].map(async ws => closeSocket(ws)))
      await new Promise<void>(resolve => { wss.close(() => { resolve() }) })
    }
  }
}

function seconds (ms: number): string {
  return (ms / 1000).toFixed(ms < 10_000 ? 1 : 0)
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

function refuse (socket: Duplex, status: string, retryAfter?: number): void {
  socket.once('finish', () => { socket.destroy() })
  const extra = retryAfter === undefined ? '' : `Retry-After: ${retryAfter}\r\n`
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n${extra}Content-Length: 0\r\n\r\n`)
}

async function closeSocket (ws: WebSocket): Promise<void> {
  if (ws.readyState === ws.CLOSED) return
  await new Promise<void>(resolve => {
    ws.once('close', () => { resolve() })
    ws.resume()
    ws.close(GOING_AWAY, 'server closing')
  })
}
