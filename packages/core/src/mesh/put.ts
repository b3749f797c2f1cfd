/**
 * Putting a block whose bytes are known to hash to its id: a host coordinates
 * the R copies; a tab or client forwards to a host, a tab keeping its own copy
 * first: best effort for `putBlock`, and as part of the put for `blockSink`
 * (`keep`), whose caller must learn that its storage is full.
 */
import type { BlockId } from '../block/id.js'
import type { PutOptions } from '../file/put-queue.js'
import { MAX_REPLICAS } from '../wire/limits.js'
import type { PutBlockOptions, PutResult } from './api.js'
import type { NodeContext } from './context.js'
import type { Replicator } from './replicate.js'
import { coordinatedRecord, lifecycleOf } from './lifecycle.js'

export async function putVerified (ctx: NodeContext, replicator: Replicator, cid: BlockId, bytes: Uint8Array,
  options: PutBlockOptions & PutOptions, keep: boolean): Promise<PutResult> {
  const asked = options.replicas === undefined ? undefined : Math.min(Math.max(1, options.replicas), MAX_REPLICAS)
  const lifecycle = lifecycleOf(options)
  if (ctx.role === 'host') return await replicator.coordinate(cid, bytes, coordinatedRecord(asked ?? ctx.replicas, lifecycle), options)
  // A tab's copy is a cache: it keeps the expiry, so it stops serving the file when hosts do.
  const record = coordinatedRecord(asked ?? 1, lifecycle)
  if (ctx.store !== undefined) {
    const storing = ctx.store.put(cid, bytes, { ...options, record }).then(() => { ctx.held(cid) })
    // Best effort for putBlock: a failed copy is counted (the put goes on); a sink's caller gets it.
    await (keep ? storing : storing.catch((err: unknown) => { ctx.failed('cache', err) }))
  }
  // Without an explicit R, the coordinating host applies its own (the record's R is then not used).
  return await replicator.forward(cid, bytes, asked, { ...options, record })
}
