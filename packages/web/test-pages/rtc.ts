/**
 * One side of a tab-to-tab WebRTC link, driven by the e2e harness, which
 * relays signals between two pages (`window.cairnRelay`, exposed by Playwright).
 * Two flavours over the same two pages: Cairn's `WebRtcConnection`, and a raw
 * `RTCDataChannel` (the baseline the bench compares against).
 */
import type { Connection } from '@cairn/core'
import { WebRtcLink } from '../src/transport/webrtc.js'
import { rawChannel, rawReceive, rawSend } from './raw-rtc.js'

declare global {
  interface Window {
    cairnRelay?: (kind: string, data: string) => Promise<void>
    cairnRtc?: typeof api
  }
}

const FRAME = 64 * 1024
let link: WebRtcLink | undefined
let conn: Connection | undefined
let raw: ReturnType<typeof rawChannel> | undefined

const toBase64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes))
const fromBase64 = (text: string): Uint8Array => Uint8Array.from(atob(text), c => c.charCodeAt(0))

function relay (kind: string, data: string): void {
  if (window.cairnRelay === undefined) throw new Error('no relay exposed')
  void window.cairnRelay(kind, data)
}

/** Deterministic bytes so both sides can check them without shipping them. */
function pattern (frame: Uint8Array, index: number): Uint8Array {
  frame.fill(index & 0xff)
  new DataView(frame.buffer, frame.byteOffset).setUint32(0, index)
  return frame
}

const api = {
  open (initiator: boolean): void {
    link = new WebRtcLink({ initiator, sendSignal: data => { relay('cairn', toBase64(data)) } })
    link.connection.then(c => { conn = c }, () => {})
  },
  signal (data: string): void { link?.signal(fromBase64(data)) },
  async connected (): Promise<{ local: number, remote: number }> {
    const c = await link!.connection
    return { local: c.channelBinding.local.length, remote: c.channelBinding.remote.length }
  },
  /** Send `total` bytes in 64 KiB frames; resolves when the last send is accepted. */
  async send (total: number): Promise<{ ms: number, accepted: number }> {
    const start = performance.now()
    let sent = 0
    for (let i = 0; sent < total; i++) {
      const size = Math.min(FRAME, total - sent)
      await conn!.send(pattern(new Uint8Array(size), i))
      sent += size
    }
    return { ms: performance.now() - start, accepted: sent }
  },
  /** Bytes the sender has had accepted so far (for the stall check). */
  sentSoFar: (): number => conn?.stats.bytesSent ?? 0,
  /** Read `total` bytes, checking the pattern; optionally wait for `startSignal` first. */
  async receive (total: number): Promise<{ ms: number, bytes: number, bad: number }> {
    const start = performance.now()
    let bytes = 0
    let bad = 0
    let i = 0
    if (bytes >= total) return { ms: 0, bytes, bad }
    for await (const frame of conn!) {
      const want = pattern(new Uint8Array(frame.length), i++)
      if (frame.length !== want.length || frame.some((b, j) => b !== want[j])) bad++
      bytes += frame.length
      if (bytes >= total) break
    }
    return { ms: performance.now() - start, bytes, bad }
  },
  close (): void { conn?.close() },

  rawOpen (initiator: boolean): void {
    raw = rawChannel(initiator, data => { relay('raw', data) })
  },
  rawSignal (data: string): void { raw!.signal(data) },
  async rawConnected (): Promise<void> { await raw!.open },
  async rawSend (total: number): Promise<{ ms: number }> { return rawSend(await raw!.open, total, FRAME) },
  async rawReceive (total: number): Promise<{ ms: number, bytes: number }> { return rawReceive(await raw!.open, total) }
}

window.cairnRtc = api
document.body.dataset['ready'] = 'true'
