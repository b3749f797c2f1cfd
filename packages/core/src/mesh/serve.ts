import type { BlockId } from '../block/id.js'
import { ERR_NO_STORE, IntegrityError, NotFoundError, OutOfRangeError, ReplicationError, StorageFullError } from '../errors.js'
import { FRAME_OVERHEAD, MAX_COPIES, MAX_REPLICAS } from '../wire/limits.js'
import type { HostStatus } from '../wire/messages.js'
import type { NodeContext } from './context.js'
import type { Fetcher } from './fetch.js'
import { encodedSize } from './gossip.js'
import { splitParts } from './parts.js'
import type { IncomingRequest } from './incoming.js'
import type { Peer } from './peer.js'
import type { Replicator } from './replicate.js'

/** Answers peers' requests: blocks (hosts fetch for tabs and clients), probes, puts, status, audits. */
export class RequestServer {
  private readonly ctx: NodeContext
  private readonly replicator: Replicator
  private readonly fetcher: Fetcher
  private readonly status: () => Promise<HostStatus>
  private readonly held: (cid: BlockId) => void

  constructor (ctx: NodeContext, replicator: Replicator, fetcher: Fetcher, status: () => Promise<HostStatus>, held: (cid: BlockId) => void) {
    this.ctx = ctx
    this.replicator = replicator
    this.fetcher = fetcher
    this.status = status
    this.held = held
  }

  async handle (peer: Peer, req: IncomingRequest): Promise<void> {
    switch (req.t) {
      case 'want':
        if (req.probe) await this.probe(peer, req.id, req.cid)
        else await this.serveBlock(peer, req.id, req.cid)
        return
      case 'put':
        await this.put(peer, req)
        return
      case 'status':
        await peer.send({ t: 'info', id: req.id, status: fitStatus(await this.status(), peer.conn.maxFrameSize) })
        return
      case 'audit':
        await this.audit(peer, req)
    }
  }

  /**
   * A replica audit: the asked range of a block this node holds, from its own
   * store only (never fetched from others for the asker), else `dont-have`.
   */
  private async audit (peer: Peer, req: Extract<IncomingRequest, { t: 'audit' }>): Promise<void> {
    await peer.serveSlots.acquire()
    try {
      const bytes = await this.read(req.cid)
      if (bytes === undefined) {
        await peer.send({ t: 'dont-have', id: req.id })
        return
      }
      if (req.offset + req.length > bytes.length) {
        throw new OutOfRangeError(`audit range ${req.offset}+${req.length} runs past the block's ${bytes.length} bytes`)
      }
      await peer.send({ t: 'proof', id: req.id, data: bytes.subarray(req.offset, req.offset + req.length) })
    } finally {
      peer.serveSlots.release()
    }
  }

  private async probe (peer: Peer, id: number, cid: BlockId): Promise<void> {
    const has = this.ctx.store !== undefined && await this.ctx.store.has(cid)
    await peer.send(has ? { t: 'have', id, cids: [cid.bytes] } : { t: 'dont-have', id })
  }

  private async serveBlock (peer: Peer, id: number, cid: BlockId): Promise<void> {
    await peer.serveSlots.acquire()
    try {
      const bytes = await this.read(cid) ?? await this.proxy(peer, cid)
      if (bytes === undefined) {
        await peer.send({ t: 'dont-have', id })
        return
      }
      for (const part of splitParts(bytes, peer.conn.maxFrameSize)) {
        await peer.send({ t: 'block', id, offset: part.offset, total: bytes.length, data: part.data })
      }
    } finally {
      peer.serveSlots.release()
    }
  }

  private async read (cid: BlockId): Promise<Uint8Array | undefined> {
    if (this.ctx.store === undefined) return undefined
    try {
      return await this.ctx.store.get(cid)
    } catch (err) {
      if (err instanceof NotFoundError) return undefined
      if (err instanceof IntegrityError) {
        this.ctx.reportCorrupt(cid)
        return undefined
      }
      throw err
    }
  }

  /**
   * A host fetches what it lacks for tabs and clients, which may be
   * connected to it alone (the fetch verifies the block; it is not kept).
   * A `--no-store` host does not: it only introduces peers and relays
   * signaling, so tabs fetch from each other directly (over WebRTC).
   */
  private async proxy (peer: Peer, cid: BlockId): Promise<Uint8Array | undefined> {
    if (this.ctx.role !== 'host' || peer.role === 'host' || this.ctx.store === undefined) return undefined
    try {
      return await this.fetcher.fetch(cid, { exclude: peer.peerId })
    } catch {
      return undefined // no other host has it either: the answer is `dont-have`
    }
  }

  private async put (peer: Peer, req: Extract<IncomingRequest, { t: 'put' }>): Promise<void> {
    try {
      await this.ctx.verifyBlock(req.cid, req.bytes)
    } catch (err) {
      peer.strike('put bytes that do not match their id')
      throw err
    }
    // Hosts coordinate every put from a tab or client: with the R it asked for, else their own.
    // A put from another host without `replicas` is a replica write.
    const replicas = req.replicas ?? (peer.role === 'host' ? undefined : this.ctx.replicas)
    if (replicas !== undefined) {
      await this.coordinate(peer, req.id, req.cid, req.bytes, replicas)
      return
    }
    if (this.ctx.store === undefined) {
      await peer.send({ t: 'error', id: req.id, code: ERR_NO_STORE, message: 'this node keeps no blocks' })
      return
    }
    const takes = this.ctx.takesBlocks()
    if (takes !== true && !await takes && !await this.ctx.store.has(req.cid)) {
      await peer.send({ t: 'error', id: req.id, code: 'ERR_STORAGE_FULL', message: 'this host is over its high-water mark' })
      return
    }
    await this.ctx.store.put(req.cid, req.bytes)
    this.held(req.cid)
    await peer.send({ t: 'stored', id: req.id, copies: 1 })
  }

  private async coordinate (peer: Peer, id: number, cid: BlockId, bytes: Uint8Array, replicas: number): Promise<void> {
    if (this.ctx.role !== 'host') {
      await peer.send({ t: 'error', id, code: 'ERR_UNSUPPORTED', message: 'only hosts coordinate puts' })
      return
    }
    try {
      const { copies } = await this.replicator.coordinate(cid, bytes, Math.min(replicas, MAX_REPLICAS))
      await peer.send({ t: 'stored', id, copies: Math.min(copies, MAX_COPIES) })
    } catch (err) {
      if (!(err instanceof ReplicationError)) throw err
      const code = err.cause instanceof StorageFullError ? 'ERR_STORAGE_FULL' : 'ERR_REPLICATION'
      await peer.send({ t: 'error', id, code, message: err.message.slice(0, 512) })
    }
  }
}

/**
 * `status` with as many peers as fit in one frame. The 512 bytes held back
 * cover every other field (at most ~340: a 128-character peer id, the
 * counters, `backgroundFailures`).
 */
function fitStatus (status: HostStatus, maxFrameSize: number): HostStatus {
  let budget = maxFrameSize - FRAME_OVERHEAD - 256
  const peers = []
  for (const peer of status.peers) {
    budget -= encodedSize(peer) + 96
    if (budget < 0) break
    peers.push(peer)
  }
  return { ...status, peers }
}
