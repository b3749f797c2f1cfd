import { describe, expect, it } from 'vitest'
import { blockId } from '../block/id.js'
import type { BlockId } from '../block/id.js'
import { placeBlock, rankPeers } from './placement.js'

const hosts = Array.from({ length: 6 }, (_, i) => `bhost${i}`)

async function blocks (n: number): Promise<BlockId[]> {
  return await Promise.all(Array.from({ length: n }, async (_, i) => await blockId(new TextEncoder().encode(`block ${i}`))))
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
