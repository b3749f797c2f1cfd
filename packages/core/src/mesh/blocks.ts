/**
 * The mesh as the file pipelines' block source: `Mesh.getBlock` (whose every
 * block is hashed against its id, once) marked verified, so `openFile` and
 * `readFile` do not hash again; optionally waiting for a peer that has the
 * block (`wait`). And as their block sink: `addFile` has just hashed each
 * block to name it, so the sink puts it without hashing again.
 */
import { assertBlockId, type BlockId } from '../block/id.js'
import { markVerified, type BlockSource, type GetBlockOptions } from '../block/source.js'
import { pause } from '../dial/pause.js'
import { OutOfRangeError, UnavailableError } from '../errors.js'
import { derivedSignal } from '../file/abort.js'
import type { BlockSink, PutOptions } from '../file/put-queue.js'
import type { BlockSinkInit, BlockSourceInit, Mesh, PutBlockOptions, PutResult } from './api.js'
import { lifecycleOf } from './lifecycle.js'

/** How often a waiting get retries when no peer connects meanwhile. */
const RETRY_MS = 1_000

type BlockMesh = Pick<Mesh, 'getBlock' | 'addEventListener' | 'removeEventListener'>

/** Core only: `mesh.getBlock` must verify every block it returns (as `MeshNode`'s does). */
export function meshBlockSource (mesh: BlockMesh, init: BlockSourceInit = {}): BlockSource {
  const wait = init.wait ?? 0
  if (!Number.isFinite(wait) || wait < 0) throw new OutOfRangeError(`invalid wait ${wait}`)
  return markVerified({
    async get (id: BlockId, options: GetBlockOptions = {}): Promise<Uint8Array> {
      // Each get listens on its own signal, derived from the caller's: a read
      // pipeline shares one signal among every fetch in flight, and a listener
      // per fetch would pile up on it (Node warns past 10).
      const derived = options.signal === undefined ? undefined : derivedSignal(options.signal)
      try {
        if (wait === 0) return await mesh.getBlock(id, derived === undefined ? {} : { signal: derived.signal })
        return await getWaiting(mesh, id, AbortSignal.timeout(wait), derived?.signal, init.peersComing)
      } finally {
        derived?.done()
      }
    }
  })
}

/**
 * `getBlock`, retried on `UnavailableError` until `deadline`; then (or if the
 * deadline cuts a request short, or `peersComing` says no one else will come)
 * `UnavailableError`. `signal` is the caller's own cancellation, which ends it
 * with `AbortError`.
 */
async function getWaiting (
  mesh: BlockMesh, id: BlockId, deadline: AbortSignal, signal?: AbortSignal, peersComing?: () => boolean
): Promise<Uint8Array> {
  const both = signal === undefined ? deadline : AbortSignal.any([deadline, signal])
  let last: unknown
  for (;;) {
    try {
      return await mesh.getBlock(id, { signal: both })
    } catch (err) {
      if (signal?.aborted === true) throw err
      const timedOut = deadline.aborted
      if (!(err instanceof UnavailableError) && !timedOut) throw err
      last = err instanceof UnavailableError ? err : last ?? err
      if (timedOut) throw new UnavailableError(`block ${id.toString()}: no reachable peer has it`, { cause: last })
      if (peersComing?.() === false) throw err
      // Try again when a peer connects, or after RETRY_MS.
      await pause(RETRY_MS, both, { target: mesh, event: 'peer:connect' })
    }
  }
}

/**
 * Core only: `put` must be the mesh's put of bytes already known to hash to
 * their id (`addFile` named each block by hashing it).
 */
export function meshBlockSink (put: (cid: BlockId, bytes: Uint8Array, options: PutBlockOptions & PutOptions) => Promise<PutResult>, init: BlockSinkInit = {}): BlockSink {
  const replicas = { ...lifecycleOf(init), ...(init.replicas === undefined ? {} : { replicas: init.replicas }) }
  return {
    put: async (cid: BlockId, bytes: Uint8Array, options: PutOptions = {}): Promise<PutResult> => {
      assertBlockId(cid)
      // Its own signal, derived from the caller's: `addFile` shares one among every put in flight.
      const derived = options.signal === undefined ? undefined : derivedSignal(options.signal)
      try {
        return await put(cid, bytes, { ...options, ...replicas, ...(derived === undefined ? {} : { signal: derived.signal }) })
      } finally {
        derived?.done()
      }
    }
  }
}
