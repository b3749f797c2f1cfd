import { describe, expect, it } from 'vitest'
import { DEFAULT_SIM, makeHosts, makeKeys, placeAll, simulate } from './model.js'
import { checkGoals, formatResults } from './report.js'

describe('placement and repair simulation (small)', () => {
  it('meets the goals for 30 hosts in 3 zones and prints the table', () => {
    const result = simulate({ ...DEFAULT_SIM, hosts: 30, zones: 3, blocks: 30_000 })
    // Every copy in its own zone; a host's bytes follow its weight.
    expect(result.spread.zoneCollisions).toBe(0)
    expect(result.spread.min).toBeGreaterThan(-0.15)
    expect(result.spread.max).toBeLessThan(0.15)
    // Membership changes move only what they must.
    expect(result.join.ideal).toBeGreaterThan(0)
    expect(result.join.moved).toBeLessThanOrEqual(1.2 * result.join.ideal)
    expect(result.leave.moved).toBeLessThanOrEqual(1.2 * result.leave.ideal)
    // One host dies: each lost copy is sent once, none lost.
    expect(result.hostDown.lostCopies).toBeGreaterThan(0)
    expect(result.hostDown.repairCopies).toBe(result.hostDown.lostCopies)
    expect(result.hostDown.lostBlocks).toBe(0)
    expect(result.hostDown.repairSeconds).toBeGreaterThan(0)
    // One zone of three dies with R=3: nothing lost, every block had two live copies.
    expect(result.zoneDown.lostBlocks).toBe(0)
    expect(result.zoneDown.singleCopy).toBe(0)
    expect(result.zoneDown.repairCopies).toBe(result.zoneDown.lostCopies)
    const text = formatResults([result])
    expect(text).toContain('Not modelled')
    expect(text).toMatch(/^30 +3 +30000 /m)
    expect(checkGoals([result]).find(g => g.goal.includes('one zone down'))?.met).toBe(true)
  })

  it('12 hosts in 3 zones: zone-blind placement puts two copies in one zone for most blocks, zone-aware for none', () => {
    const hosts = makeHosts(12, 3, 5)
    const keys = makeKeys(2000, 5)
    const zoneOf = new Map(hosts.map(h => [h.peerId, h.zone]))
    const collisions = (p: ReturnType<typeof placeAll>): number => {
      let count = 0
      for (let b = 0; b < 2000; b++) {
        const zones = new Set([0, 1, 2].map(r => zoneOf.get(p.set.ids[p.holders[3 * b + r]!]!)))
        if (zones.size < 3) count++
      }
      return count
    }
    // The layout, placed as today (each host its own zone): 94 of 130 blocks collided there.
    const blind = collisions(placeAll(hosts.map(h => ({ peerId: h.peerId, zone: h.peerId, weight: h.weight })), keys, 3))
    expect(blind).toBeGreaterThan(2000 * 0.5)
    expect(collisions(placeAll(hosts, keys, 3))).toBe(0)
  })

  it('balances zones by capacity when it makes hosts', () => {
    const hosts = makeHosts(100, 7, 3)
    const totals = new Map<string, number>()
    for (const h of hosts) totals.set(h.zone, (totals.get(h.zone) ?? 0) + h.weight)
    expect(totals.size).toBe(7)
    expect(Math.max(...totals.values()) / Math.min(...totals.values())).toBeLessThan(1.1)
  })
})
