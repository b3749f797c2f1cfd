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

  it('a cost whose floor is above half its baseline must not grow past its baseline', () => {
    // floor 22 > 15: the goal is out of reach; at most the baseline, 30 (twice the floor, 44, would allow more)
    expect(verdict([cost(25, 22), cost(28, 22), cost(30, 22)]).verdict).toBe('floor')
    expect(verdict([cost(31, 22), cost(35, 22), cost(25, 22)]).verdict).toBe('MISSED')
    // floor 12 > 10 (goal: at most 10 of 20): at most 20
    const costOf20 = (cairn, floorCost) => ({ ...cost(cairn, floorCost), baseline: 20, floor: 20 / floorCost })
    expect(verdict([costOf20(19, 12), costOf20(20, 12), costOf20(18, 12)]).verdict).toBe('floor')
    expect(verdict([costOf20(21, 12), costOf20(22, 12), costOf20(18, 12)]).verdict).toBe('MISSED')
    // a floor below the goal's cost leaves the goal itself: at most 20 of 40
    const costOf40 = (cairn) => ({ ...cost(cairn, 16), baseline: 40, floor: 40 / 16 })
    expect(verdict([costOf40(30), costOf40(32), costOf40(31)]).verdict).toBe('MISSED')
    expect(verdict([costOf40(19), costOf40(20), costOf40(31)]).verdict).toBe('met')
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
