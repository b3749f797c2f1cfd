/**
 * One TLS port that still answers plain http: the first byte of a connection
 * tells a TLS handshake (record type 0x16) from anything else. TLS goes to
 * the HTTPS server; a plain request is sent to the same URL over https:// (a
 * temporary redirect, so dropping TLS later breaks nothing cached), and a
 * plain WebSocket upgrade is refused with 426, so someone who types
 * `http://` lands on the secure page instead of a dropped connection.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http'
import type { Server as HttpsServer } from 'node:https'
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net'
import type { Duplex } from 'node:stream'

const TLS_HANDSHAKE = 0x16

export interface TlsPort {
  /** The server to listen with. */
  readonly front: NetServer
  /** Close every connection, TLS or plain, and any still undecided. */
  closeAllConnections (): void
}

function redirect (req: IncomingMessage, res: ServerResponse): void {
  const host = req.headers.host
  if (host === undefined || !/^[\w.:[\]-]+$/.test(host)) {
    res.writeHead(400, { Connection: 'close', 'Content-Length': '0' }).end()
    return
  }
  res.writeHead(307, { Location: `https://${host}${req.url ?? '/'}`, Connection: 'close', 'Content-Length': '0' }).end()
}

function refuseUpgrade (_req: IncomingMessage, socket: Duplex): void {
  socket.on('error', () => { socket.destroy() })
  socket.end('HTTP/1.1 426 Upgrade Required\r\nUpgrade: TLS/1.3\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
}

/** Put `secure` (not listening itself) behind a front that also answers plain http; `idle` bounds a silent socket. */
export function tlsPort (secure: HttpsServer, idle: number): TlsPort {
  const plain: HttpServer = createHttpServer(redirect)
  plain.on('upgrade', refuseUpgrade)
  plain.headersTimeout = idle
  plain.requestTimeout = idle
  const undecided = new Set<Socket>()
  const front = createNetServer(socket => {
    undecided.add(socket)
    socket.on('error', () => { socket.destroy() })
    socket.setTimeout(idle, () => { socket.destroy() })
    socket.once('close', () => { undecided.delete(socket) })
    // Paused mode: the first bytes go back into the socket's buffer, where the
    // TLS wrap (which then reads the handle itself) and the HTTP parser both look.
    const decide = (): void => {
      const first = socket.read() as Buffer | null
      if (first === null) return
      socket.off('readable', decide)
      undecided.delete(socket)
      socket.setTimeout(0)
      socket.unshift(first)
      ;(first[0] === TLS_HANDSHAKE ? secure : plain).emit('connection', socket)
    }
    socket.on('readable', decide)
  })
  return {
    front,
    closeAllConnections: () => {
      for (const socket of undecided) socket.destroy()
      secure.closeAllConnections()
      plain.closeAllConnections()
    }
  }
}
