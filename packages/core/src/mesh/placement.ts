import type { BlockId } from '../block/id.js'

/*
 * Rendezvous (highest random weight) placement: for a block, every host gets
 * a score from a 64-bit hash of (peer id, block id); hosts are ranked by
 * score and the top R hold the block. Adding or removing a host moves only
 * the blocks it gains or loses. Block ids are SHA-256 digests, so their first
 * 8 bytes are already uniform; the peer side is hashed once and cached.
 */

const MASK_64 = (1n << 64n) - 1n
const FNV_OFFSET = 0xcbf29ce484222325n
const FNV_PRIME = 0x100000001b3n
const MAX_CACHED_SEEDS = 4096

const seeds = new Map<string, bigint>()

/** The splitmix64 finalizer: a bijective 64-bit mix. */
function mix64 (value: bigint): bigint {
  let z = (value + 0x9e3779b97f4a7c15n) & MASK_64
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK_64
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK_64
  return z ^ (z >> 31n)
}

function peerSeed (peerId: string): bigint {
  let seed = seeds.get(peerId)
  if (seed !== undefined) return seed
  let hash = FNV_OFFSET
  for (let i = 0; i < peerId.length; i++) {
    hash = ((hash ^ BigInt(peerId.charCodeAt(i))) * FNV_PRIME) & MASK_64
  }
  seed = mix64(hash)
  if (seeds.size >= MAX_CACHED_SEEDS) seeds.clear()
  seeds.set(peerId, seed)
  return seed
}

function blockKey (cid: BlockId): bigint {
  const digest = cid.multihash.digest
  let key = 0n
  for (let i = 0; i < 8; i++) key = (key << 8n) | BigInt(digest[i] ?? 0)
  return key
}

/** The HRW score of `peerId` for `cid`: higher ranks first. */
export function placementScore (peerId: string, cid: BlockId): bigint {
  return mix64(peerSeed(peerId) ^ blockKey(cid))
}

/** `peerIds` ranked for `cid`, best first (ties broken by peer id). */
export function rankPeers (cid: BlockId, peerIds: Iterable<string>): string[] {
  const key = blockKey(cid)
  const scored = [...new Set(peerIds)].map(peerId => ({ peerId, score: mix64(peerSeed(peerId) ^ key) }))
  scored.sort((a, b) => a.score === b.score
    ? (a.peerId < b.peerId ? -1 : 1)
    : (a.score > b.score ? -1 : 1))
  return scored.map(entry => entry.peerId)
}

/** The `replicas` hosts that should hold `cid`. */
export function placeBlock (cid: BlockId, hosts: Iterable<string>, replicas: number): string[] {
  return rankPeers(cid, hosts).slice(0, Math.max(0, replicas))
}
