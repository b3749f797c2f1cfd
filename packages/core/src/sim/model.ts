import { HostSet } from '../mesh/placement.js'
import type { PlacementHost } from '../mesh/placement.js'

/*
 * A model of placement and repair for many hosts: the real placement function
 * (`mesh/placement.ts`) over model hosts and block keys, and the repair rule
 * of `mesh/repair.ts` (the best-ranked live holder sends each missing copy to
 * the block's new targets). Pure and deterministic for a seed.
 *
 * Modelled: placement, spread against weight, zone collisions, data moved on
 * join/leave, repair traffic, lost blocks, and repair time under a per-host
 * repair rate and link rate (each host sends and receives in parallel with
 * every other, a block at a time, fewest live copies first).
 * Not modelled: the network (latency, loss, congestion), probes and their
 * cost, disk speed, connection churn during repair, concurrent user traffic,
 * deletion of surplus copies (Cairn keeps them), and quotas filling up.
 */

export interface SimHost extends PlacementHost {
  zone: string
  /** Capacity in bytes: the placement weight. */
  weight: number
}

export interface SimConfig {
  hosts: number
  zones: number
  blocks: number
  replicas: number
  /** Bytes per block (Cairn's blocks are at most 1 MiB). */
  blockSize: number
  /** Bytes per second each host spends on repair (`--repair-rate`). */
  repairRate: number
  /** Bytes per second each host's link carries. */
  linkRate: number
  seed: number
}

export const DEFAULT_SIM: Omit<SimConfig, 'hosts' | 'zones' | 'blocks'> = {
  replicas: 3,
  blockSize: 1024 * 1024,
  repairRate: 16 * 1024 * 1024,
  linkRate: 125 * 1000 * 1000,
  seed: 1
}

const TB = 1e12
/** Disk sizes mixed in a simulated cluster. */
const CAPACITIES = [2 * TB, 4 * TB, 8 * TB, 12 * TB]

/** mulberry32: a small seeded PRNG, 32-bit output. */
export function prng (seed: number): () => number {
  let a = seed | 0
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return (t ^ (t >>> 14)) | 0
  }
}

/**
 * `count` hosts of mixed sizes in `zones` zones, balanced as an operator
 * would (each host, largest first, into the zone with the least capacity).
 */
export function makeHosts (count: number, zones: number, seed: number): SimHost[] {
  const next = prng(seed)
  const sizes = Array.from({ length: count }, () => CAPACITIES[(next() >>> 0) % CAPACITIES.length]!)
  const order = sizes.map((size, i) => ({ size, i })).sort((a, b) => b.size - a.size || a.i - b.i)
  const totals = new Array<number>(zones).fill(0)
  const hosts = new Array<SimHost>(count)
  for (const { size, i } of order) {
    let z = 0
    for (let k = 1; k < zones; k++) if (totals[k]! < totals[z]!) z = k
    totals[z]! += size
    hosts[i] = { peerId: `bsimhost${seed}x${i}`, zone: `zone${z}`, weight: size }
  }
  return hosts
}

/** Block keys (two 32-bit words each), standing in for the first 8 bytes of SHA-256 digests. */
export function makeKeys (count: number, seed: number): Int32Array {
  const next = prng(seed ^ 0x5bd1e995)
  const keys = new Int32Array(2 * count)
  for (let i = 0; i < keys.length; i++) keys[i] = next()
  return keys
}

/** Each block's R holders, as peer ids' indexes into `set.ids`: `R` entries per block. */
export interface Placement {
  set: HostSet
  replicas: number
  holders: Int32Array
}

export function placeAll (hosts: SimHost[], keys: Int32Array, replicas: number): Placement {
  const set = new HostSet(hosts)
  const blocks = keys.length / 2
  const holders = new Int32Array(blocks * replicas).fill(-1)
  for (let b = 0; b < blocks; b++) {
    const picked = set.place(keys[2 * b]!, keys[2 * b + 1]!, replicas)
    for (let r = 0; r < picked.length; r++) holders[b * replicas + r] = picked[r]!
  }
  return { set, replicas, holders }
}

export interface Spread {
  /** Worst deviation of a host's bytes from its weight's share, as fractions (−0.05 = 5% under). */
  min: number
  max: number
  /** Blocks with two (or more) copies in one zone. */
  zoneCollisions: number
  /** Largest zone's capacity over the smallest's. */
  zoneImbalance: number
}

export function spread (p: Placement, hosts: SimHost[]): Spread {
  const { set, replicas, holders } = p
  const counts = new Float64Array(set.size)
  let zoneCollisions = 0
  const blocks = holders.length / replicas
  const seen = new Set<number>()
  for (let b = 0; b < blocks; b++) {
    seen.clear()
    let collided = false
    for (let r = 0; r < replicas; r++) {
      const h = holders[b * replicas + r]!
      if (h < 0) continue
      counts[h]!++
      const z = set.zoneIndex(h)
      if (seen.has(z)) collided = true
      seen.add(z)
    }
    if (collided) zoneCollisions++
  }
  let total = 0
  for (let h = 0; h < set.size; h++) total += set.weight(h)
  let min = Infinity
  let max = -Infinity
  for (let h = 0; h < set.size; h++) {
    const share = blocks * replicas * set.weight(h) / total
    const deviation = counts[h]! / share - 1
    min = Math.min(min, deviation)
    max = Math.max(max, deviation)
  }
  const zoneTotals = new Map<string, number>()
  for (const host of hosts) zoneTotals.set(host.zone, (zoneTotals.get(host.zone) ?? 0) + host.weight)
  const sizes = [...zoneTotals.values()]
  return { min, max, zoneCollisions, zoneImbalance: Math.max(...sizes) / Math.min(...sizes) }
}

/** Copies that land on a host that did not hold them before (bytes = copies × block size). */
export function movedCopies (before: Placement, after: Placement): number {
  const { replicas } = before
  const blocks = before.holders.length / replicas
  let moved = 0
  const old = new Set<string>()
  for (let b = 0; b < blocks; b++) {
    old.clear()
    for (let r = 0; r < replicas; r++) {
      const h = before.holders[b * replicas + r]!
      if (h >= 0) old.add(before.set.ids[h]!)
    }
    for (let r = 0; r < replicas; r++) {
      const h = after.holders[b * replicas + r]!
      if (h >= 0 && !old.has(after.set.ids[h]!)) moved++
    }
  }
  return moved
}

export interface Membership {
  /** Copies moved. */
  moved: number
  /** The least that must move: the copies the joining host gains, or those the leaving host held. */
  ideal: number
}

/** One host (of median size, in zone0) joins. */
export function join (hosts: SimHost[], keys: Int32Array, before: Placement): Membership {
  const sizes = hosts.map(h => h.weight).sort((a, b) => a - b)
  const joiner: SimHost = { peerId: 'bsimjoiner', zone: 'zone0', weight: sizes[sizes.length >> 1]! }
  const after = placeAll([...hosts, joiner], keys, before.replicas)
  const j = after.set.ids.indexOf(joiner.peerId)
  let ideal = 0
  for (const h of after.holders) if (h === j) ideal++
  return { moved: movedCopies(before, after), ideal }
}

export interface Failure {
  /** Copies the dead hosts held. */
  lostCopies: number
  /** Blocks with no live copy left. */
  lostBlocks: number
  /** Copies repair sent (each a block). */
  repairCopies: number
  /** Modelled time until every block is back to R (or as many as live hosts allow), seconds. */
  repairSeconds: number
  /** Modelled time until no block has a single live copy, seconds. */
  safeSeconds: number
  /** Blocks with a single live copy just after the failure. */
  singleCopy: number
  /** Blocks with two copies in one zone after repair. */
  zoneCollisions: number
}

/**
 * The hosts in `dead` fail. Every surviving block is repaired as `mesh/repair.ts`
 * does: its new targets are the placement over the live hosts; the live holder
 * ranked best sends each target that lacks it one copy. Blocks with the fewest
 * live copies go first; each host sends at `repairRate` and receives at `linkRate`.
 */
export function fail (hosts: SimHost[], keys: Int32Array, before: Placement, dead: Set<string>, config: SimConfig): Failure {
  const live = hosts.filter(h => !dead.has(h.peerId))
  const after = placeAll(live, keys, before.replicas)
  const { replicas } = before
  const blocks = before.holders.length / replicas
  const index = new Map(after.set.ids.map((id, i) => [id, i]))
  let lostCopies = 0
  let lostBlocks = 0
  let singleCopy = 0
  // Work items: (copies alive, sender, receiver) per copy to send.
  const jobs: Array<{ alive: number, from: number, to: number }> = []
  for (let b = 0; b < blocks; b++) {
    const alive: number[] = []
    for (let r = 0; r < replicas; r++) {
      const h = before.holders[b * replicas + r]!
      if (h < 0) continue
      const id = before.set.ids[h]!
      if (dead.has(id)) lostCopies++
      else alive.push(index.get(id)!)
    }
    if (alive.length === 0) {
      lostBlocks++
      continue
    }
    if (alive.length === 1) singleCopy++
    const missing: number[] = []
    for (let r = 0; r < replicas; r++) {
      const target = after.holders[b * replicas + r]!
      if (target >= 0 && !alive.includes(target)) missing.push(target)
    }
    if (missing.length === 0) continue
    // The sender: the surviving holder that comes first in the placement order (almost always in the first 2R).
    const k0 = keys[2 * b]!
    const k1 = keys[2 * b + 1]!
    const sender = after.set.place(k0, k1, 2 * replicas).find(h => alive.includes(h)) ??
      after.set.place(k0, k1, after.set.size).find(h => alive.includes(h))!
    for (const to of missing) jobs.push({ alive: alive.length, from: sender, to })
  }
  const { repairSeconds, safeSeconds } = schedule(jobs, after.set.size, config)
  const collisions = spread(after, live).zoneCollisions
  return { lostCopies, lostBlocks, repairCopies: jobs.length, repairSeconds, safeSeconds, singleCopy, zoneCollisions: collisions }
}

/**
 * Fewest live copies first; a copy finishes when both its sender (at the
 * repair rate) and receiver (at the link rate) have had the time for it.
 */
function schedule (jobs: Array<{ alive: number, from: number, to: number }>, hosts: number, config: SimConfig): { repairSeconds: number, safeSeconds: number } {
  jobs.sort((a, b) => a.alive - b.alive)
  const sendFree = new Float64Array(hosts)
  const receiveFree = new Float64Array(hosts)
  const sendTime = config.blockSize / config.repairRate
  const receiveTime = config.blockSize / config.linkRate
  let repairSeconds = 0
  let safeSeconds = 0
  for (const job of jobs) {
    const start = Math.max(sendFree[job.from]!, receiveFree[job.to]! - receiveTime + sendTime)
    const end = start + sendTime
    sendFree[job.from] = end
    receiveFree[job.to] = Math.max(receiveFree[job.to]!, end)
    repairSeconds = Math.max(repairSeconds, end)
    if (job.alive === 1) safeSeconds = Math.max(safeSeconds, end)
  }
  return { repairSeconds, safeSeconds }
}

export interface SimResult {
  config: SimConfig
  spread: Spread
  join: Membership
  leave: Membership
  hostDown: Failure
  zoneDown: Failure
  seconds: number
}

export function simulate (config: SimConfig): SimResult {
  const started = performance.now()
  const hosts = makeHosts(config.hosts, config.zones, config.seed)
  const keys = makeKeys(config.blocks, config.seed)
  const before = placeAll(hosts, keys, config.replicas)
  const joined = join(hosts, keys, before)
  // The host that leaves (and the one that dies): the largest, the worst case.
  const largest = hosts.reduce((a, b) => b.weight > a.weight ? b : a)
  const hostDown = fail(hosts, keys, before, new Set([largest.peerId]), config)
  const leave: Membership = { moved: hostDown.repairCopies, ideal: hostDown.lostCopies }
  const zoneDown = fail(hosts, keys, before, new Set(hosts.filter(h => h.zone === 'zone0').map(h => h.peerId)), config)
  return {
    config,
    spread: spread(before, hosts),
    join: joined,
    leave,
    hostDown,
    zoneDown,
    seconds: (performance.now() - started) / 1000
  }
}
