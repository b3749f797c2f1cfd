/**
 * A file's lifecycle in the mesh: what a host accepts of a block's record (an
 * expiry in the future and, when the host caps it (`maxExpiry`), no later than
 * that far ahead; then a block without an expiry is refused too), for puts a
 * host coordinates and for replica writes alike; the record a put asks for;
 * and asking hosts when a file expires.
 */
import { assertBlockId } from '../block/id.js'
import type { BlockId } from '../block/id.js'
import { ExpiryError } from '../errors.js'
import type { AbortOptions } from '../store/block-store.js'
import type { BlockRecord } from '../store/record.js'
import type { Lifecycle } from './api.js'
import type { NodeContext } from './context.js'
import { isStoringHost } from './context.js'

export function acceptRecord (record: BlockRecord, maxExpiry: number | undefined, now = Date.now()): BlockRecord {
  if (record.expires !== undefined && record.expires <= now) {
    throw new ExpiryError(`expiry ${new Date(record.expires).toISOString()} is not in the future`)
  }
  if (maxExpiry === undefined) return record
  const latest = now + maxExpiry
  if (record.expires === undefined || record.expires > latest) {
    throw new ExpiryError(`this host keeps blocks at most ${describeMs(maxExpiry)}: give an expiry no later than ${new Date(latest).toISOString()}`)
  }
  return record
}

/** The record a coordinating host stores: R as it decided, expiry and owner as asked. */
export function coordinatedRecord (replicas: number, asked: Omit<BlockRecord, 'replicas'> | undefined): BlockRecord {
  const record: BlockRecord = { replicas }
  if (asked?.expires !== undefined) record.expires = asked.expires
  if (asked?.owner !== undefined) record.owner = asked.owner
  return record
}

function describeMs (ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`
  if (ms % 60_000 === 0) return `${ms / 60_000}m`
  return `${Math.round(ms / 1000)}s`
}

/** Only the lifecycle fields of `options` (an expiry, an owner tag), dropping absent ones. */
export function lifecycleOf (options: Lifecycle): Lifecycle {
  const lifecycle: Lifecycle = {}
  if (options.expires !== undefined) lifecycle.expires = options.expires
  if (options.owner !== undefined) lifecycle.owner = options.owner
  return lifecycle
}

/** When `root` expires, as the first connected storing host holding it says (undefined: never, or no host has it). */
export async function expiryOf (ctx: NodeContext, root: BlockId, options: AbortOptions = {}): Promise<number | undefined> {
  assertBlockId(root)
  for (const peer of ctx.peerList().filter(isStoringHost)) {
    const held = await peer.probeExpiry(root, { timeout: ctx.tuning.probeTimeout, ...options }).catch(() => false as const)
    if (held !== false) return held
  }
  return undefined
}
