import { decodeBlockId, equalBytes } from '../block/id.js'
import type { BlockId } from '../block/id.js'
import { ProtocolError } from '../errors.js'
import { decodeRecord } from '../store/record.js'
import type { BlockRecord } from '../store/record.js'
import type { PutMessage } from '../wire/messages.js'
import { PartAssembler } from './parts.js'

export type IncomingRequest =
  | { t: 'want', id: number, cid: BlockId, probe: boolean }
  | { t: 'put', id: number, cid: BlockId, bytes: Uint8Array, replicas?: number, record?: BlockRecord }
  | { t: 'status', id: number }
  | { t: 'audit', id: number, cid: BlockId, offset: number, length: number }
  | { t: 'remove', id: number, root: BlockId, secret: Uint8Array }

export interface IncomingLimits {
  maxIncomingRequests: number
  maxIncomingPuts: number
}

/** A put being received: parts so far, or `complete` once handed to the handler. */
interface PutState {
  cid: Uint8Array
  assembler: PartAssembler | undefined
  /** From the first part. */
  replicas: number | undefined
  record: Uint8Array | undefined
}

/**
 * The requests a peer has in flight with us, by id: admission against the
 * per-peer limits, and reassembly of `put` parts (at most `MAX_BLOCK_SIZE`
 * per put, and `maxIncomingPuts` puts at once).
 */
export class IncomingRequests {
  private readonly limits: IncomingLimits
  private readonly inFlight = new Map<number, PutState | null>()
  private puts = 0

  constructor (limits: IncomingLimits) {
    this.limits = limits
  }

  /**
   * Count a new `want`/`status`. False means the peer broke the limit.
   * Throws `ProtocolError` for an id already in flight.
   */
  admit (id: number): boolean {
    if (this.inFlight.has(id)) throw new ProtocolError(`request id ${id} already in flight`)
    if (this.inFlight.size >= this.limits.maxIncomingRequests) return false
    this.inFlight.set(id, null)
    return true
  }

  /**
   * Take one part of a put: the whole request once its last part is in,
   * 'limit' if the peer broke the limits, undefined while parts are missing.
   * Throws `ProtocolError` (and forgets the put) for a part that does not fit.
   */
  putPart (msg: PutMessage): IncomingRequest | 'limit' | undefined {
    let state = this.inFlight.get(msg.id)
    if (state === undefined) {
      if (this.inFlight.size >= this.limits.maxIncomingRequests || this.puts >= this.limits.maxIncomingPuts) return 'limit'
      state = { cid: msg.cid, assembler: undefined, replicas: undefined, record: undefined }
      this.inFlight.set(msg.id, state)
      this.puts++
    } else if (state === null || state.assembler === undefined && msg.offset === 0 || !equalBytes(state.cid, msg.cid)) {
      throw new ProtocolError(`request id ${msg.id} already in flight`)
    }
    let bytes: Uint8Array | undefined
    try {
      if (state.assembler === undefined && msg.offset !== 0) throw new ProtocolError('put part out of order')
      // `replicas` is sent on the first part, but taken from any; `record` only comes first (schema).
      state.replicas ??= msg.replicas
      if (state.assembler === undefined) state.record = msg.record
      state.assembler ??= new PartAssembler(msg.total)
      bytes = state.assembler.add(msg.offset, msg.total, msg.data)
    } catch (err) {
      this.done(msg.id)
      throw err
    }
    if (bytes === undefined) return undefined
    state.assembler = undefined
    state.cid = new Uint8Array(0)
    const req: IncomingRequest = { t: 'put', id: msg.id, cid: decodeBlockId(msg.cid), bytes }
    if (state.replicas !== undefined) req.replicas = state.replicas
    // Checked by the schema already: this cannot throw.
    if (state.record !== undefined) req.record = decodeRecord(state.record)
    state.record = undefined
    return req
  }

  /** The request was answered (or dropped). */
  done (id: number): void {
    const state = this.inFlight.get(id)
    if (state === undefined) return
    if (state !== null) this.puts--
    this.inFlight.delete(id)
  }
}
