import { describe, expect, it } from 'vitest'
import { summarize } from './summary.mjs'

const rate = (cairn, floor) => ({ target: 'get', unit: 'MiB/s', cairn, baseline: 100, against: 'raw ws', goal: 0.5, floor })
const cost = (cairn, floorCost) => ({ target: 'cpu', unit: 'CPU-s/GiB', lower: true, cairn, baseline: 30, against: 'start', goal: 2, floor: floorCost === undefined ? undefined : 30 / floorCost })
const verdict = (runs) => summarize(runs.map((row) => [row]))[0]

describe('bench targets table', () => {
  it('a rate meets its goal by its median ratio', () => {
    const row = verdict([rate(40), rate(60), rate(55)])
    expect(row.ratio).toBeCloseTo(0.55)
    expect(row.verdict).toBe('met')
  })

  it('a rate below its goal is floor-bound only while it reaches the goal\'s share of its own floor', () => {
    // floor 0.4 of the baseline: the reachable goal is 0.5 × 0.4 = 0.2
    expect(verdict([rate(25, 0.4), rate(22, 0.4), rate(30, 0.4)]).verdict).toBe('floor')
    expect(verdict([rate(15, 0.4), rate(18, 0.4), rate(30, 0.4)]).verdict).toBe('MISSED')
    // a floor above the goal leaves the goal itself to reach
    expect(verdict([rate(45, 0.9), rate(48, 0.9), rate(49, 0.9)]).verdict).toBe('MISSED')
  })

  it('a cost meets "at most half" when it costs at most half its baseline', () => {
    const row = verdict([cost(14), cost(15), cost(16)])
    expect(row.ratio).toBeCloseTo(2)
    expect(row.verdict).toBe('met')
    expect(verdict([cost(16), cost(17), cost(15)]).verdict).toBe('MISSED')
  })

  it('a cost whose floor is above half its baseline must stay within twice the floor', () => {
    // floor 22 > 15: reachable is 30 / 22 / 2, i.e. at most 44
    expect(verdict([cost(30, 22), cost(40, 22), cost(43, 22)]).verdict).toBe('floor')
    expect(verdict([cost(45, 22), cost(50, 22), cost(30, 22)]).verdict).toBe('MISSED')
  })

  it('judges each sample against its own floor', () => {
    const runs = [[{ ...rate(30), ratio: 0.3, samples: [{ ratio: 0.3, floor: 0.4 }, { ratio: 0.3, floor: 0.7 }, { ratio: 0.3, floor: 0.4 }] }]]
    const [row] = summarize(runs)
    expect(row.samples).toBe(3)
    // reachable 0.5 × 0.4, 0.5 (floor above the goal), 0.5 × 0.4: scores 1.5, 0.6, 1.5
    expect(row.score).toBeCloseTo(1.5)
    expect(row.verdict).toBe('floor')
  })
})
