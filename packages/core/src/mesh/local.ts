import type { BlockId } from '../block/id.js'
import { ExpiredError, IntegrityError, NotFoundError } from '../errors.js'
import type { AbortOptions } from '../store/block-store.js'
import { isExpired } from '../store/record.js'
import type { BlockRecord } from '../store/record.js'
import type { NodeContext } from './context.js'

/**
 * `getBlock`'s first step: this node's own copy of `cid`, or undefined (no
 * store, not held, or corrupt: reported and fetched back). Throws
 * `ExpiredError` for an expired block and whatever `checkRemoved` throws
 * (`DeletedError`) for a removed file's.
 */
export async function readLocal (ctx: NodeContext, checkRemoved: (cid: BlockId, record: BlockRecord | undefined) => void, cid: BlockId, options: AbortOptions): Promise<Uint8Array | undefined> {
  if (ctx.store === undefined) return undefined
  const record = await ctx.store.record(cid, options)
  if (isExpired(record)) throw new ExpiredError(`block ${cid.toString()}: the file has expired`)
  checkRemoved(cid, record)
  try {
    return await ctx.store.get(cid, options)
  } catch (err) {
    if (err instanceof IntegrityError) ctx.reportCorrupt(cid)
    else if (!(err instanceof NotFoundError)) throw err
    return undefined
  }
}
