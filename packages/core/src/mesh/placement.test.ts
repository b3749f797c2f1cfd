import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { blockId } from '../block/id.js'
import type { BlockId } from '../block/id.js'
import { HostSet, placeBlock, rankPeers } from './placement.js'
import type { PlacementHost } from './placement.js'

const hosts = Array.from({ length: 6 }, (_, i) => `bhost${i}`)

async function blocks (n: number): Promise<BlockId[]> {
  return await Promise.all(Array.from({ length: n }, async (_, i) => await blockId(new TextEncoder().encode(`block ${i}`))))
}

/** Random host sets: up to 24 hosts in up to 6 zones (some zoneless), weights 0.5..8. */
const hostSets = fc.uniqueArray(
  fc.record({
    peerId: fc.stringMatching(/^b[a-z2-7]{6,12}$/),
    zone: fc.option(fc.constantFrom('z0', 'z1', 'z2', 'z3', 'z4', 'z5'), { nil: undefined }),
    weight: fc.double({ min: 0.5, max: 8, noNaN: true })
  }),
  { minLength: 1, maxLength: 24, selector: h => h.peerId }
).map(list => list.map(h => h.zone === undefined ? { peerId: h.peerId, weight: h.weight } : h))

const key = fc.tuple(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }))
const replicas = fc.integer({ min: 1, max: 6 })

function place (list: PlacementHost[], k: readonly [number, number], r: number): string[] {
  const set = new HostSet(list)
  return set.place(k[0], k[1], r).map(i => set.ids[i]!)
}

function zoneOf (host: PlacementHost): string {
  return host.zone ?? `own:${host.peerId}`
}

/** A deterministic stream of block keys (xorshift32). */
function* keys (count: number, seed = 0x2545f491): Generator<[number, number]> {
  let x = seed
  const next = (): number => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return x | 0
  }
  for (let i = 0; i < count; i++) yield [next(), next()]
}

describe('HRW placement', () => {
  it('ranks deterministically, whatever the input order', async () => {
    const [cid] = await blocks(1)
    expect(rankPeers(cid!, hosts)).toEqual(rankPeers(cid!, [...hosts].reverse()))
    expect(rankPeers(cid!, hosts).sort()).toEqual([...hosts].sort())
  })

  it('moves only the blocks of a host that leaves', async () => {
    for (const cid of await blocks(500)) {
      const before = placeBlock(cid, hosts, 3)
      const gone = hosts[2]!
      const after = placeBlock(cid, hosts.filter(h => h !== gone), 3)
      const kept = before.filter(h => h !== gone)
      expect(after.slice(0, kept.length)).toEqual(kept)
    }
  })

  it('spreads blocks evenly over hosts', async () => {
    const counts = new Map<string, number>()
    const all = await blocks(3000)
    for (const cid of all) {
      const [first] = placeBlock(cid, hosts, 1)
      counts.set(first!, (counts.get(first!) ?? 0) + 1)
    }
    for (const host of hosts) {
      expect(counts.get(host)).toBeGreaterThan(3000 / 6 * 0.8)
      expect(counts.get(host)).toBeLessThan(3000 / 6 * 1.2)
    }
  })
})

describe('zone-aware weighted placement (properties)', () => {
  it('picks min(R, hosts) distinct hosts, in R distinct zones when there are R zones, else spread evenly', () => {
    fc.assert(fc.property(hostSets, key, replicas, (list, k, r) => {
      const picked = place(list, k, r)
      expect(new Set(picked).size).toBe(Math.min(r, list.length))
      const byId = new Map(list.map(h => [h.peerId, h]))
      const zoneSizes = new Map<string, number>()
      for (const h of list) zoneSizes.set(zoneOf(h), (zoneSizes.get(zoneOf(h)) ?? 0) + 1)
      const counts = new Map<string, number>()
      for (const id of picked) counts.set(zoneOf(byId.get(id)!), (counts.get(zoneOf(byId.get(id)!)) ?? 0) + 1)
      if (zoneSizes.size >= r) expect(counts.size).toBe(picked.length)
      // As even as possible: a zone holds two more copies than another only if that one has no host left.
      for (const [zone, size] of zoneSizes) {
        const mine = counts.get(zone) ?? 0
        for (const other of counts.values()) if (other > mine + 1) expect(mine).toBe(size)
      }
    }), { numRuns: 400 })
  })

  it('a host leaving changes only the blocks it held, and only by its own copy (minimal movement)', () => {
    fc.assert(fc.property(hostSets, key, replicas, fc.nat(), (list, k, r, which) => {
      const gone = list[which % list.length]!.peerId
      const before = place(list, k, r)
      const after = place(list.filter(h => h.peerId !== gone), k, r)
      if (!before.includes(gone)) {
        expect(after).toEqual(before)
      } else {
        // Every other holder stays; exactly one new host replaces the leaver (if any is left).
        for (const id of before) if (id !== gone) expect(after).toContain(id)
        expect(after.filter(id => !before.includes(id)).length).toBeLessThanOrEqual(1)
      }
    }), { numRuns: 400 })
  })

  it('a host joining takes only copies it now holds (the reverse of leaving)', () => {
    fc.assert(fc.property(hostSets, key, replicas, fc.option(fc.constantFrom('z0', 'z1', 'z9'), { nil: undefined }), (list, k, r, zone) => {
      const joiner: PlacementHost = zone === undefined ? { peerId: 'bjoiner' } : { peerId: 'bjoiner', zone }
      const before = place(list, k, r)
      const after = place([...list, joiner], k, r)
      const moved = before.filter(id => !after.includes(id))
      if (after.includes('bjoiner')) expect(moved.length).toBeLessThanOrEqual(1)
      else expect(after).toEqual(before)
    }), { numRuns: 400 })
  })

  it('places by weight: a host twice as large holds about twice as many blocks', () => {
    const weights = [1, 1, 2, 2, 4, 4, 1, 1]
    const list = weights.map((weight, i) => ({ peerId: `bweighted${i}`, weight }))
    const set = new HostSet(list)
    const counts = new Map<string, number>()
    const n = 40_000
    for (const [k0, k1] of keys(n)) {
      const [first] = set.place(k0, k1, 1)
      counts.set(set.ids[first!]!, (counts.get(set.ids[first!]!) ?? 0) + 1)
    }
    const total = weights.reduce((a, b) => a + b, 0)
    for (const host of list) {
      const share = n * host.weight / total
      expect(Math.abs(counts.get(host.peerId)! - share) / share).toBeLessThan(0.07)
    }
  })

  it('with zones of equal weight, every copy of R=3 lands in its own zone and hosts share by weight', () => {
    // Three zones of total weight 8 each, mixed sizes inside.
    const layout = [[4, 2, 1, 1], [2, 2, 2, 2], [4, 4]]
    const list = layout.flatMap((zone, z) => zone.map((weight, i) => ({ peerId: `bz${z}h${i}`, zone: `zone${z}`, weight })))
    const set = new HostSet(list)
    const counts = new Map<string, number>()
    const n = 20_000
    for (const [k0, k1] of keys(n, 7)) {
      const picked = set.place(k0, k1, 3)
      expect(new Set(picked.map(i => set.zoneIndex(i))).size).toBe(3)
      for (const i of picked) counts.set(set.ids[i]!, (counts.get(set.ids[i]!) ?? 0) + 1)
    }
    for (const host of list) {
      const share = 3 * n * host.weight / 24
      expect(Math.abs(counts.get(host.peerId)! - share) / share).toBeLessThan(0.08)
    }
  })
})
