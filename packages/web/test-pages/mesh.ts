/**
 * A tab's mesh node without the UI, for the browser bench: the same
 * `MeshNode`, WebSocket transport and WebRTC links (signaled through the
 * host) as the app, with blocks made in memory so only the exchange is timed.
 * Beside it, the raw baselines on the same page: a bare `RTCDataChannel`
 * (see rtc.ts) and a bare `WebSocket`.
 */
import { blockId, generateIdentity, MeshNode, ReplicationError } from '@cairn/core'
import type { BlockId } from '@cairn/core'
import { MemoryBlockStore } from '../../core/src/store/memory.js'
import { RtcPeers } from '../src/mesh/rtc-peers.js'
import { BrowserWebSocketTransport } from '../src/transport/websocket.js'
import { rawChannel, rawReceive, rawSend } from './raw-rtc.js'

let mesh: MeshNode | undefined
let raw: ReturnType<typeof rawChannel> | undefined
const RAW_FRAME = 64 * 1024
/** The raw WebSocket sender keeps this much queued (more than Cairn's 4 MiB high-water mark). */
const RAW_WS_BUFFER = 16 * 1024 * 1024
let store: MemoryBlockStore | undefined
const blocks = new Map<string, BlockId>()

/** Distinct pseudo-random blocks, cheaply: xorshift per block. */
function makeBytes (size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size)
  const words = new Uint32Array(out.buffer, 0, size >>> 2)
  let s = (seed * 2654435761) >>> 0 || 1
  for (let i = 0; i < words.length; i++) {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5
    words[i] = s >>> 0
  }
  return out
}

async function inParallel<T> (items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) await fn(items[next++]!)
  }))
}

const api = {
  /** Join the mesh through the host at `hostUrl` (`ws://…/mesh`); `keep`: hold blocks. */
  async start (hostUrl: string, joinToken: string, keep: boolean): Promise<string> {
    store = keep ? new MemoryBlockStore() : undefined
    mesh = new MeshNode({
      identity: await generateIdentity({ extractable: false }),
      role: 'browser',
      ...(store === undefined ? {} : { store }),
      transports: [new BrowserWebSocketTransport()],
      joinToken
    })
    await mesh.start()
    await mesh.dial(hostUrl)
    new RtcPeers({ mesh }).start()
    return mesh.peerId
  },
  /** Peers by transport, e.g. { websocket: 1, webrtc: 1 }. */
  transports (): Record<string, number> {
    const count: Record<string, number> = {}
    for (const p of mesh?.peers() ?? []) count[p.transport] = (count[p.transport] ?? 0) + 1
    return count
  },
  bytesByTransport (): Record<string, number> {
    const out: Record<string, number> = {}
    for (const p of mesh?.peers() ?? []) out[p.transport] = (out[p.transport] ?? 0) + p.bytesReceived
    return out
  },
  /** Make `count` blocks of `size`, hold them and announce them (`putBlock`; no host need take them). */
  async hold (count: number, size: number): Promise<string[]> {
    const ids: string[] = []
    for (let i = 0; i < count; i++) {
      const bytes = makeBytes(size, i + 1)
      const cid = await blockId(bytes)
      blocks.set(cid.toString(), cid)
      await mesh!.putBlock(cid, bytes, { replicas: 1 }).catch((err: unknown) => {
        if (!(err instanceof ReplicationError)) throw err
      })
      ids.push(cid.toString())
    }
    return ids
  },
  /** Fetch every block (`concurrency` at once, as a file read does); resolve with the time taken. */
  async fetchAll (ids: string[], concurrency: number): Promise<{ ms: number, bytes: number }> {
    const { CID } = await import('multiformats/cid')
    const cids = ids.map(id => CID.parse(id))
    let bytes = 0
    const start = performance.now()
    await inParallel(cids, concurrency, async cid => {
      const block = await mesh!.getBlock(cid)
      bytes += block.length
    })
    return { ms: performance.now() - start, bytes }
  },
  /** Put `count` fresh blocks on the host (R = 1), `concurrency` at once. */
  async putAll (count: number, size: number, concurrency: number): Promise<{ ms: number, copies: number }> {
    const made = await Promise.all(Array.from({ length: count }, async (_, i) => {
      const bytes = makeBytes(size, 100_000 + i)
      return { cid: await blockId(bytes), bytes }
    }))
    let copies = Infinity
    const start = performance.now()
    await inParallel(made, concurrency, async b => {
      const put = await mesh!.putBlock(b.cid, b.bytes, { replicas: 1 })
      copies = Math.min(copies, put.copies)
    })
    return { ms: performance.now() - start, copies }
  },
  /** Raw baseline: a bare RTCDataChannel to the other page, signaled through `window.cairnRelay`. */
  rawOpen (initiator: boolean): void {
    raw = rawChannel(initiator, data => { void window.cairnRelay?.('raw', data) })
  },
  rawSignal (data: string): void { raw!.signal(data) },
  async rawConnected (): Promise<void> { await raw!.open },
  async rawSend (total: number): Promise<{ ms: number }> { return rawSend(await raw!.open, total, RAW_FRAME) },
  async rawReceive (total: number): Promise<{ ms: number, bytes: number }> { return rawReceive(await raw!.open, total) },
  /** Raw baseline: send `total` bytes over a bare WebSocket to `url`, waiting for the sink's ack. */
  async rawWebSocket (url: string, total: number, frame: number): Promise<{ ms: number }> {
    const ws = new WebSocket(url)
    ws.binaryType = 'arraybuffer'
    await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject })
    const acked = new Promise(resolve => { ws.onmessage = resolve })
    const chunk = makeBytes(frame, 9)
    const start = performance.now()
    for (let sent = 0; sent < total; sent += frame) {
      ws.send(chunk)
      while (ws.bufferedAmount > RAW_WS_BUFFER) await new Promise(resolve => setTimeout(resolve, 1))
    }
    await acked
    const ms = performance.now() - start
    ws.close()
    return { ms }
  }
}

declare global {
  interface Window {
    cairnMesh?: typeof api
    cairnRelay?: (kind: string, data: string) => Promise<void>
  }
}
window.cairnMesh = api
document.body.dataset['ready'] = 'true'
