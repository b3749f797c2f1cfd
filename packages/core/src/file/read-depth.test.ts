import { describe, expect, it } from 'vitest'
import { MIN_DEPTH, ReadDepth, START_DEPTH } from './read-depth.js'

/**
 * A read's pipe as a model: `depth` blocks asked for, taken one after another
 * at `service` ms each by its slowest part (the host, or the reader itself),
 * over a path of `rtt` ms. A block alone (the first) takes rtt + service;
 * with the window deeper than the path needs, blocks queue and each takes
 * depth × service, where depth is what it was when the block was asked for:
 * about a window's worth of blocks earlier (a change shows a round trip late).
 */
function settle (depth: ReadDepth, rtt: number, service: number, blocks = 500): number[] {
  const seen: number[] = []
  for (let i = 0; i < blocks; i++) {
    const asked = seen.length === 0 ? depth.value : seen[Math.max(0, seen.length - depth.value)] as number
    depth.sample(i === 0 ? rtt + service : Math.max(rtt + service, asked * service))
    seen.push(depth.value)
  }
  return seen
}

describe('ReadDepth (how many blocks a read keeps requested ahead)', () => {
  it('starts at START_DEPTH, or max if that is less', () => {
    expect(new ReadDepth(16).value).toBe(START_DEPTH)
    expect(new ReadDepth(2).value).toBe(2)
    expect(new ReadDepth(0).value).toBe(0)
  })

  it('deepens to max over a distant link, where more blocks in flight only fill the path', () => {
    const depth = new ReadDepth(16)
    const seen = settle(depth, 50, 2)
    expect(depth.value).toBe(16)
    expect(seen.slice(0, 12)).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]) // one deeper per block
  })

  it('stays shallow where the reader is the slower side: a deeper window would only queue', () => {
    const depth = new ReadDepth(16)
    const seen = settle(depth, 1, 2)
    expect(Math.max(...seen.slice(50))).toBeLessThanOrEqual(4)
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(1)
  })

  it('covers the path where it is the longer part of a block\'s latency, without queueing far past it', () => {
    const depth = new ReadDepth(64)
    settle(depth, 20, 2) // 10 blocks cover 20 ms
    expect(depth.value).toBeGreaterThanOrEqual(10)
    expect(depth.value).toBeLessThanOrEqual(14)
  })

  it('shrinks once the path gets slower than its base (a busy host), and grows back when it clears', () => {
    const depth = new ReadDepth(16)
    settle(depth, 50, 0.1)
    expect(depth.value).toBe(16)
    settle(depth, 50, 10) // now every block waits behind the others
    expect(depth.value).toBeLessThanOrEqual(8)
    settle(depth, 50, 0.1)
    expect(depth.value).toBe(16)
  })

  it('ignores samples that are not a duration; never goes past max, nor shrinks below MIN_DEPTH', () => {
    const capped = new ReadDepth(3)
    for (const bad of [Number.NaN, -1, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY]) capped.sample(bad)
    expect(capped.value).toBe(3)
    for (let i = 0; i < 50; i++) capped.sample(0)
    expect(capped.value).toBe(3)
    const depth = new ReadDepth(16)
    for (const bad of [Number.NaN, -1, Number.POSITIVE_INFINITY]) depth.sample(bad)
    expect(depth.value).toBe(START_DEPTH)
    depth.sample(5)
    for (let i = 0; i < 50; i++) depth.sample(1000)
    expect(depth.value).toBe(MIN_DEPTH)
  })

  it('a block that took "0 ms" (from memory, or a coarse clock) does not make every later one look queued', () => {
    const depth = new ReadDepth(16)
    depth.sample(0)
    for (let i = 0; i < 50; i++) depth.sample(1.2) // 1 ms is the least base: 1.2 ms blocks are barely queued
    expect(depth.value).toBeGreaterThan(START_DEPTH)
  })
})
