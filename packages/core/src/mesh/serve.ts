import type { BlockId } from '../block/id.js'
import { ERR_NO_STORE, ExpiredError, IntegrityError, OwnerError, NotFoundError, OutOfRangeError, ReplicationError, StorageFullError, TimeoutError, UnavailableError } from '../errors.js'
import { FRAME_OVERHEAD, MAX_COPIES, MAX_REPLICAS } from '../wire/limits.js'
import { blockFrame, type BlockFrame } from '../wire/block-frame.js'
import { abortable } from '../file/abort.js'
import type { HostStatus } from '../wire/messages.js'
import type { NodeContext } from './context.js'
import type { Relay } from './relay.js'
import { encodedSize } from './gossip-send.js'
import { splitParts } from './parts.js'
import type { IncomingRequest } from './incoming.js'
import type { Peer } from './peer.js'
import type { Replicator } from './replicate.js'
import type { Remover } from './remove.js'
import { isExpired } from '../store/record.js'
import type { BlockRecord } from '../store/record.js'
import { acceptRecord, coordinatedRecord } from './lifecycle.js'

/** Answers peers' requests: blocks (hosts relay for tabs and clients), probes, puts, status, audits. */
export class RequestServer {
  private readonly ctx: NodeContext
  private readonly replicator: Replicator
  private readonly relay: Relay
  private readonly remover: Remover
  private readonly status: () => Promise<HostStatus>
  private readonly held: (cid: BlockId) => void

  constructor (ctx: NodeContext, replicator: Replicator, relay: Relay, remover: Remover, status: () => Promise<HostStatus>, held: (cid: BlockId) => void) {
    this.ctx = ctx
    this.remover = remover
    this.replicator = replicator
    this.relay = relay
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
        return
      case 'remove':
        await this.remove(peer, req.id, req.root, req.secret)
    }
  }

  /**
   * A replica audit: the asked range of a block this node holds, from its own
   * store only (never fetched from others for the asker), else `dont-have`.
   * A copy found rotten (by this read or just before it) is answered from the
   * copy fetched back in its place: it claimed the block honestly, and a
   * `dont-have` would cost it the auditor's trust for `auditPenalty`.
   */
  private async audit (peer: Peer, req: Extract<IncomingRequest, { t: 'audit' }>): Promise<void> {
    await peer.serveSlots.acquire()
    try {
      let bytes = await this.read(req.cid)
      const restoring = bytes === undefined ? this.ctx.restoring(req.cid) : undefined
      // Waited for no longer than the auditor waits for the answer, nor once the asker is gone.
      if (restoring !== undefined && await abortable(restoring, AbortSignal.any([peer.closedSignal, AbortSignal.timeout(this.ctx.tuning.probeTimeout)])).then(() => true, () => false)) {
        bytes = await this.read(req.cid)
      }
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

  /** A host asked by a host checks itself; asked by a tab or client, it asks every storing host too. */
  private async remove (peer: Peer, id: number, root: BlockId, secret: Uint8Array): Promise<void> {
    if (this.ctx.role !== 'host') {
      await peer.send({ t: 'error', id, code: 'ERR_UNSUPPORTED', message: 'only hosts remove files' })
      return
    }
    if (peer.role === 'host') {
      const outcome = await this.remover.local(root, secret)
      if (outcome === 'mismatch') throw new OwnerError('the owner secret does not match this file: nothing was removed')
      await peer.send({ t: 'removed', id, verified: outcome === 'verified' })
      return
    }
    await this.remover.coordinate(root, secret)
    await peer.send({ t: 'removed', id, verified: true })
  }

  /** A block is gone for readers from its expiry on, or once its owner removed the file; returns its record. */
  private async readable (cid: BlockId): Promise<BlockRecord | undefined> {
    if (this.ctx.store === undefined) return undefined
    const record = await this.ctx.store.record(cid)
    if (isExpired(record)) throw new ExpiredError(`block ${cid.toString()} has expired`)
    this.remover.check(cid, record)
    return record
  }

  /** Answers a probe: one `has` and one record read (repair probes every held block's copies). */
  private async probe (peer: Peer, id: number, cid: BlockId): Promise<void> {
    const has = this.ctx.store !== undefined && await this.ctx.store.has(cid)
    const readable = has ? await this.readable(cid).then(record => ({ expires: record?.expires }), () => undefined) : undefined
    const expires = readable?.expires
    await peer.send(readable !== undefined ? { t: 'have', id, cids: [cid.bytes], ...(expires === undefined ? {} : { expires }) } : { t: 'dont-have', id })
  }

  private async serveBlock (peer: Peer, id: number, cid: BlockId): Promise<void> {
    await peer.serveSlots.acquire()
    try {
      // From its expiry on, a block is never served (answered ERR_EXPIRED), only reclaimed.
      await this.readable(cid)
      // A block that fits one frame is read from the store straight into that frame.
      let framed: BlockFrame | undefined
      const into = (length: number): Uint8Array => {
        framed = length <= peer.conn.maxFrameSize - FRAME_OVERHEAD ? blockFrame({ t: 'block', id, offset: 0, total: length }, length, peer.conn.maxFrameSize) : undefined
        return framed?.body ?? new Uint8Array(length)
      }
      const bytes = await this.read(cid, into)
      const served = bytes === undefined
        ? await this.relayed(peer, id, cid)
        : framed !== undefined && bytes === framed.body ? await peer.sendFrame(framed.frame).then(() => true) : await sendBlock(peer, id, bytes)
      if (served === false) await peer.send({ t: 'dont-have', id })
    } finally {
      peer.serveSlots.release()
    }
  }

  private async read (cid: BlockId, into?: (length: number) => Uint8Array): Promise<Uint8Array | undefined> {
    if (this.ctx.store === undefined) return undefined
    try {
      return await this.ctx.store.get(cid, into === undefined ? {} : { into })
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
   * A relaying host fetches what it lacks for tabs and clients, which may be
   * connected to it alone, from its other peers (`relay.ts`: verified, not
   * kept, within its caps and budget). A host that does not relay (by
   * default a `--no-store` one) answers `dont-have`: its tabs fetch from each
   * other directly (over WebRTC).
   */
  private async relayed (peer: Peer, id: number, cid: BlockId): Promise<boolean> {
    if (this.ctx.role !== 'host') return false
    try {
      // The asker leaving stops the relay's wait and fetch for it.
      return await this.relay.serve(peer, cid, async bytes => { await sendBlock(peer, id, bytes) }, peer.closedSignal)
    } catch (err) {
      // The asker is gone: it left (an abort), or the relay closed it for taking nothing while its
      // block waited (a forward `TimeoutError`, not `dont-have`: the block was found). Nobody to
      // answer: rethrown, its error reply to a closed connection is dropped.
      if (peer.isClosed) throw err
      // No other peer has it, or none answered in time: the answer is `dont-have`.
      if (err instanceof UnavailableError || err instanceof TimeoutError) return false
      // Anything else goes to the asker as an error reply (the file is gone, the relay is at a
      // cap), or, untyped, is counted as a failure too.
      throw err
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
      await this.coordinate(peer, req.id, req.cid, req.bytes, coordinatedRecord(Math.min(replicas, MAX_REPLICAS), req.record))
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
    // A replica write keeps the record it came with (an older host sends none: the block gets this host's R).
    if (req.record !== undefined) acceptRecord(req.record, this.ctx.maxExpiry)
    await this.ctx.store.put(req.cid, req.bytes, req.record === undefined ? {} : { record: req.record })
    this.held(req.cid)
    await peer.send({ t: 'stored', id: req.id, copies: 1 })
  }

  private async coordinate (peer: Peer, id: number, cid: BlockId, bytes: Uint8Array, record: BlockRecord): Promise<void> {
    if (this.ctx.role !== 'host') {
      await peer.send({ t: 'error', id, code: 'ERR_UNSUPPORTED', message: 'only hosts coordinate puts' })
      return
    }
    try {
      const { copies } = await this.replicator.coordinate(cid, bytes, record)
      await peer.send({ t: 'stored', id, copies: Math.min(copies, MAX_COPIES) })
    } catch (err) {
      if (!(err instanceof ReplicationError)) throw err
      const code = err.cause instanceof StorageFullError ? 'ERR_STORAGE_FULL' : 'ERR_REPLICATION'
      await peer.send({ t: 'error', id, code, message: err.message.slice(0, 512) })
    }
  }
}

/** Send a block in parts; true once the last part is out. */
async function sendBlock (peer: Peer, id: number, bytes: Uint8Array): Promise<true> {
  for (const part of splitParts(bytes, peer.conn.maxFrameSize)) {
    await peer.send({ t: 'block', id, offset: part.offset, total: bytes.length, data: part.data })
  }
  return true
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
