/* A Repairer on a fake host: 'self' of three storing hosts, with scripted peers and fetches. */
import type { BlockId } from '../../src/block/id.js'
import { UnavailableError } from '../../src/errors.js'
import { MemoryBlockStore } from '../../src/store/memory.js'
import type { RepairResult } from '../../src/mesh/api.js'
import { Auditor } from '../../src/mesh/audit.js'
import type { NodeContext } from '../../src/mesh/context.js'
import type { Fetcher } from '../../src/mesh/fetch.js'
import { Repairer } from '../../src/mesh/repair.js'
import { resolveTuning, type MeshTuning } from '../../src/mesh/tuning.js'

export interface FakeRepairHost {
  repairer: Repairer
  store: MemoryBlockStore
  /** Every pass's result, in order. */
  passes: RepairResult[]
  /** Kinds of background failures counted. */
  failures: string[]
  /** Probes answered by the peers, in all. */
  probes: () => number
}

export interface FakeRepairOptions {
  tuning?: MeshTuning
  /** Whether peer 'a' or 'b' holds `cid` (default: both hold everything). */
  holds?: (peerId: string, cid: BlockId) => boolean
  /** Fetch a block back for a restore (default: no peer has it). */
  fetch?: (cid: BlockId) => Promise<Uint8Array>
  /** Probes are answered once this settles (default: at once). */
  probesWait?: Promise<void>
}

/** Peers refuse repair copies, so a block a peer lacks stays under R. Audits are off. */
export function fakeRepairHost ({ tuning = {}, holds = () => true, fetch, probesWait }: FakeRepairOptions = {}): FakeRepairHost {
  const store = new MemoryBlockStore()
  const passes: RepairResult[] = []
  const failures: string[] = []
  let probes = 0
  const peerOf = (peerId: string): unknown => ({
    probe: async (cid: BlockId) => {
      probes++
      await probesWait
      return holds(peerId, cid)
    },
    put: async () => { throw new UnavailableError('this peer takes no copies') }
  })
  const hosts = ['self', 'a', 'b'].map(peerId => ({ peerId, weight: 1, full: false }))
  const ctx = {
    peerId: 'self',
    role: 'host',
    store,
    replicas: 3,
    tuning: resolveTuning({ repairDelay: 100, repairRetry: 3_600_000, auditChance: 0, ...tuning }),
    peer: (id: string) => id === 'self' ? undefined : peerOf(id),
    peerList: () => [],
    storingHosts: () => hosts,
    dispatch: (type: string, detail: unknown) => { if (type === 'repair') passes.push(detail as RepairResult) },
    failed: (kind: string) => { failures.push(kind) },
    reportCorrupt: () => {},
    // As MeshNode: a block held (again) is counted by the next pass for new blocks.
    held: (cid: BlockId) => { repairer.stored(cid) }
  } as unknown as NodeContext
  const fetcher = { fetch: fetch ?? (async (cid: BlockId) => { throw new UnavailableError(`block ${cid.toString()}: no peer has it`) }) } as unknown as Fetcher
  const repairer: Repairer = new Repairer(ctx, fetcher, () => false, new Auditor(ctx))
  return { repairer, store, passes, failures, probes: () => probes }
}
