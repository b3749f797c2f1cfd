/**
 * A WebSocket client written by hand over a TCP socket, for traffic no real
 * client would send: frames with lying lengths, floods of fragments, text
 * frames, garbage. It performs the HTTP upgrade, writes masked frames as
 * told, and parses what the server sends back (binary messages, close code).
 */
import { randomBytes } from 'node:crypto'
import { connect, type Socket } from 'node:net'
import { decodeMessage } from '@cairn/core/wire'
import type { Message } from '@cairn/core/wire'

export const OP = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9 } as const

export interface Closed {
  /** Close code the server sent (1008, 1009, ...), if it sent a close frame. */
  code?: number
  /** Milliseconds from `open` to the TCP close. */
  ms: number
}

export interface RawWebSocketInit {
  /** Answer the server's close frame as a client should (default true); false: keep silent, the server must give up by itself. */
  echoClose?: boolean
  /** Connect from this loopback address (127.x.y.z), to look like another machine. */
  localAddress?: string
  /** Extra request headers, e.g. `Origin`; `Host` replaces the default `127.0.0.1:PORT`. */
  headers?: Record<string, string>
}

export class RawWebSocket {
  readonly socket: Socket
  /** Binary messages received, decoded (undecodable ones as `undefined`). */
  readonly messages: Array<Message | undefined> = []
  readonly closed: Promise<Closed>
  private buffer: Buffer = Buffer.alloc(0)
  private closeCode: number | undefined
  private readonly echoClose: boolean

  private constructor (socket: Socket, rest: Buffer, opened: number, init: RawWebSocketInit) {
    this.socket = socket
    this.echoClose = init.echoClose ?? true
    this.closed = new Promise(resolve => {
      socket.once('close', () => {
        resolve({ ...(this.closeCode === undefined ? {} : { code: this.closeCode }), ms: performance.now() - opened })
      })
    })
    socket.on('data', (chunk: Buffer) => { this.receive(chunk) })
    if (rest.length > 0) this.receive(rest)
  }

  /** Connect to `127.0.0.1:port`, upgrade `path`, resolve once the server answered 101. */
  static async open (port: number, init: RawWebSocketInit = {}, path = '/mesh'): Promise<RawWebSocket> {
    const opened = performance.now()
    const socket = connect({ host: '127.0.0.1', port, noDelay: true, ...(init.localAddress === undefined ? {} : { localAddress: init.localAddress }) })
    socket.on('error', () => {})
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve)
      socket.once('close', () => { reject(new Error('closed before connecting')) })
    })
    const host = init.headers?.['Host'] ?? `127.0.0.1:${port}`
    const extra = Object.entries(init.headers ?? {}).filter(([name]) => name !== 'Host')
    socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n` +
      extra.map(([name, value]) => `${name}: ${value}\r\n`).join('') + '\r\n')
    const rest = await new Promise<Buffer>((resolve, reject) => {
      let head = Buffer.alloc(0)
      const onData = (chunk: Buffer): void => {
        head = Buffer.concat([head, chunk])
        const end = head.indexOf('\r\n\r\n')
        if (end < 0) return
        socket.off('data', onData)
        const status = head.subarray(0, end).toString('latin1').split('\r\n')[0]!
        if (!status.includes(' 101 ')) reject(new Error(`upgrade refused: ${status}`))
        else resolve(head.subarray(end + 4))
      }
      socket.on('data', onData)
      socket.once('close', () => { reject(new Error('closed during the upgrade')) })
    })
    return new RawWebSocket(socket, rest, opened, init)
  }

  /** Write one masked frame. `length` may lie about the payload's size. */
  frame (opcode: number, payload: Uint8Array, init: { fin?: boolean, length?: number } = {}): boolean {
    return this.socket.write(encodeFrame(opcode, payload, init.fin ?? true, init.length ?? payload.length))
  }

  /** Write raw bytes (no framing). */
  write (bytes: Uint8Array): boolean {
    return this.socket.write(bytes)
  }

  get isClosed (): boolean {
    return this.socket.destroyed || this.socket.readyState === 'closed'
  }

  destroy (): void {
    this.socket.destroy()
  }

  private receive (chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk])
    for (;;) {
      const parsed = parseFrame(this.buffer)
      if (parsed === undefined) return
      this.buffer = this.buffer.subarray(parsed.size)
      if (parsed.opcode === OP.close) {
        if (parsed.payload.length >= 2) this.closeCode = parsed.payload.readUInt16BE(0)
        if (this.echoClose && this.socket.writable) this.socket.end(encodeFrame(OP.close, parsed.payload.subarray(0, 2), true, Math.min(2, parsed.payload.length)))
      }
      if (parsed.opcode === OP.binary) this.messages.push(decodeOrUndefined(parsed.payload))
    }
  }
}

function decodeOrUndefined (bytes: Uint8Array): Message | undefined {
  try {
    return decodeMessage(bytes)
  } catch {
    return undefined
  }
}

export function encodeFrame (opcode: number, payload: Uint8Array, fin: boolean, length: number): Buffer {
  const ext = length < 126 ? 0 : length < 0x10000 ? 2 : 8
  const head = Buffer.alloc(2 + ext + 4)
  head[0] = (fin ? 0x80 : 0) | opcode
  head[1] = 0x80 | (ext === 0 ? length : ext === 2 ? 126 : 127)
  if (ext === 2) head.writeUInt16BE(length, 2)
  if (ext === 8) head.writeBigUInt64BE(BigInt(length), 2)
  const mask = randomBytes(4)
  mask.copy(head, 2 + ext)
  const body = Buffer.from(payload)
  for (let i = 0; i < body.length; i++) body[i] = body[i]! ^ mask[i & 3]!
  return Buffer.concat([head, body])
}

/** One unmasked server frame at the start of `buf`, or undefined if incomplete. */
function parseFrame (buf: Buffer): { opcode: number, payload: Buffer, size: number } | undefined {
  if (buf.length < 2) return undefined
  const opcode = buf[0]! & 0x0f
  let length = buf[1]! & 0x7f
  let at = 2
  if (length === 126) {
    if (buf.length < 4) return undefined
    length = buf.readUInt16BE(2)
    at = 4
  } else if (length === 127) {
    if (buf.length < 10) return undefined
    length = Number(buf.readBigUInt64BE(2))
    at = 10
  }
  if (buf.length < at + length) return undefined
  return { opcode, payload: buf.subarray(at, at + length), size: at + length }
}
