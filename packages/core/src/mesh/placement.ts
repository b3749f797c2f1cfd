import type { BlockId } from '../block/id.js'

/*
 * Zone-aware, weighted rendezvous (highest random weight) placement.
 *
 * Score: every host gets u in (0, 1) from a 53-bit hash of (peer id, block
 * key) and scores −w / ln(u), w its weight (straw2's draw): the best of a set
 * of hosts is host i with probability w_i / Σw, and a host's score does not
 * depend on who else is in the set, so adding or removing a host moves only
 * the blocks it gains or loses.
 *
 * Zones: hosts are taken in rounds. Round k takes, from every zone with at
 * least k hosts, its k-th best host, zones ordered by that host's score. The
 * first R of this order hold the block: R distinct zones whenever there are
 * R zones, else spread as evenly as the zones allow. A host with no zone is
 * its own zone, so without zones this is plain weighted HRW. The best host of
 * a zone is a draw over the zone's total weight, so zones of equal weight each
 * get R/Z of the copies and, inside a zone, hosts share by weight.
 *
 * Everything is 32-bit integer arithmetic (`Math.imul`), so a simulation can
 * place millions of copies; block ids are SHA-256 digests, whose first 8
 * bytes are already uniform.
 */

export interface PlacementHost {
  peerId: string
  /** Failure domain; absent: the host is its own zone. */
  zone?: string
  /** Relative capacity (bytes of quota or disk); absent: 1. Zero or less: never chosen. */
  weight?: number
}

const MAX_CACHED_SEEDS = 4096
const TWO_POW_21 = 2 ** 21
const TWO_POW_53 = 2 ** 53

const seeds = new Map<string, readonly [number, number]>()

function rotl (x: number, r: number): number {
  return (x << r) | (x >>> (32 - r))
}

/** Murmur3's finalizer: a bijective 32-bit mix. */
function fmix32 (h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return h ^ (h >>> 16)
}

/** Murmur3's block step: fold `k` into `h`. */
function fold (h: number, k: number): number {
  k = Math.imul(rotl(Math.imul(k, 0xcc9e2d51), 15), 0x1b873593)
  return (Math.imul(rotl(h ^ k, 13), 5) + 0xe6546b64) | 0
}

/** Two 32-bit seeds for a peer id (FNV-1a, then mixed), cached. */
export function peerSeed (peerId: string): readonly [number, number] {
  let seed = seeds.get(peerId)
  if (seed !== undefined) return seed
  let a = 0x811c9dc5
  let b = 0x050c5d1f
  for (let i = 0; i < peerId.length; i++) {
    const c = peerId.charCodeAt(i)
    a = Math.imul(a ^ c, 0x01000193)
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15)
  }
  seed = [fmix32(a), fmix32(b ^ 0x9e3779b9)]
  if (seeds.size >= MAX_CACHED_SEEDS) seeds.clear()
  seeds.set(peerId, seed)
  return seed
}

/** The first 8 bytes of the block's digest as two 32-bit words. */
export function blockKey (cid: BlockId): readonly [number, number] {
  const d = cid.multihash.digest
  const word = (i: number): number => ((d[i] ?? 0) << 24) | ((d[i + 1] ?? 0) << 16) | ((d[i + 2] ?? 0) << 8) | (d[i + 3] ?? 0)
  return [word(0), word(4)]
}

/** u in (0, 1), uniform over 2^53 values, for (seed, key). */
function draw (s0: number, s1: number, k0: number, k1: number): number {
  const a = fmix32(fold(fold(s0, k0), k1)) >>> 0
  const b = fmix32(fold(fold(s1, k1), k0) ^ a) >>> 11
  return (a * TWO_POW_21 + b + 0.5) / TWO_POW_53
}

/** straw2's score: −w / ln(u); the higher, the better. */
function weighted (weight: number, u: number): number {
  return weight > 0 ? -weight / Math.log(u) : 0
}

/** The score of `peerId` (of `weight`) for `cid`: higher ranks first. */
export function placementScore (peerId: string, cid: BlockId, weight = 1): number {
  const [s0, s1] = peerSeed(peerId)
  const [k0, k1] = blockKey(cid)
  return weighted(weight, draw(s0, s1, k0, k1))
}

/**
 * A set of hosts prepared for placing many blocks (seeds, weights and zone
 * numbers computed once). `place` takes a block key so that a simulation can
 * use keys that are not CIDs.
 */
export class HostSet {
  readonly ids: readonly string[]
  private readonly s0: Int32Array
  private readonly s1: Int32Array
  private readonly weights: Float64Array
  private readonly zoneOf: Int32Array
  readonly zones: number
  private readonly scores: Float64Array

  constructor (hosts: Iterable<string | PlacementHost>) {
    const byId = new Map<string, PlacementHost>()
    for (const host of hosts) {
      const entry = typeof host === 'string' ? { peerId: host } : host
      if (!byId.has(entry.peerId)) byId.set(entry.peerId, entry)
    }
    const list = [...byId.values()].sort((a, b) => a.peerId < b.peerId ? -1 : a.peerId > b.peerId ? 1 : 0)
    const n = list.length
    this.ids = list.map(h => h.peerId)
    this.s0 = new Int32Array(n)
    this.s1 = new Int32Array(n)
    this.weights = new Float64Array(n)
    this.zoneOf = new Int32Array(n)
    this.scores = new Float64Array(n)
    const zoneIds = new Map<string, number>()
    list.forEach((host, i) => {
      const [a, b] = peerSeed(host.peerId)
      this.s0[i] = a
      this.s1[i] = b
      const w = host.weight ?? 1
      this.weights[i] = Number.isFinite(w) ? w : 0
      // A zoneless host is its own zone; the prefix keeps it apart from named zones.
      const zone = host.zone === undefined ? `\u0000${host.peerId}` : host.zone
      let z = zoneIds.get(zone)
      if (z === undefined) {
        z = zoneIds.size
        zoneIds.set(zone, z)
      }
      this.zoneOf[i] = z
    })
    this.zones = zoneIds.size
  }

  get size (): number {
    return this.ids.length
  }

  zoneIndex (host: number): number {
    return this.zoneOf[host]!
  }

  weight (host: number): number {
    return this.weights[host]!
  }

  /**
   * Indexes (into `ids`) of the first `count` hosts in placement order for
   * the block key (k0, k1): the block's R holders are `place(k, R)`.
   */
  place (k0: number, k1: number, count: number): number[] {
    const n = this.ids.length
    const want = Math.min(Math.max(0, count), n)
    if (want === 0) return []
    const scores = this.scores
    for (let i = 0; i < n; i++) scores[i] = weighted(this.weights[i]!, draw(this.s0[i]!, this.s1[i]!, k0, k1))
    // Per zone, its best `rounds` hosts, best first (at most `want` rounds are ever needed).
    const perZone: number[][] = Array.from({ length: this.zones }, () => [])
    for (let i = 0; i < n; i++) {
      const top = perZone[this.zoneOf[i]!]!
      if (top.length === want && !better(scores, this.ids, i, top[want - 1]!)) continue
      let at = top.length === want ? want - 1 : top.length
      while (at > 0 && better(scores, this.ids, i, top[at - 1]!)) {
        top[at] = top[at - 1]!
        at--
      }
      top[at] = i
      if (top.length > want) top.length = want
    }
    const order: number[] = []
    for (let round = 0; order.length < want; round++) {
      const picks: number[] = []
      for (const top of perZone) if (top.length > round) picks.push(top[round]!)
      picks.sort((a, b) => better(scores, this.ids, a, b) ? -1 : 1)
      for (const pick of picks) {
        if (order.length === want) break
        order.push(pick)
      }
    }
    return order
  }
}

/** Host `a` outranks host `b` (ties, which need equal 53-bit draws, broken by peer id). */
function better (scores: Float64Array, ids: readonly string[], a: number, b: number): boolean {
  const sa = scores[a]!
  const sb = scores[b]!
  return sa === sb ? ids[a]! < ids[b]! : sa > sb
}

/** `hosts` in placement order for `cid`, best first: its R holders are the first R. */
export function rankPeers (cid: BlockId, hosts: Iterable<string | PlacementHost>): string[] {
  const set = new HostSet(hosts)
  const [k0, k1] = blockKey(cid)
  return set.place(k0, k1, set.size).map(i => set.ids[i]!)
}

/** The `replicas` hosts that should hold `cid`. */
export function placeBlock (cid: BlockId, hosts: Iterable<string | PlacementHost>, replicas: number): string[] {
  const set = new HostSet(hosts)
  const [k0, k1] = blockKey(cid)
  return set.place(k0, k1, replicas).map(i => set.ids[i]!)
}
