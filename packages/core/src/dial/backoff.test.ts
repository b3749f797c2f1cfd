import { describe, expect, it } from 'vitest'
import { OutOfRangeError } from '../errors.js'
import { Backoff, BackoffMap, DEFAULT_BACKOFF, backoffPolicy, nextDelay } from './backoff.js'

describe('backoff policy', () => {
  it('doubles from initial up to max, and starts over after a success', () => {
    const backoff = new Backoff()
    const delays = Array.from({ length: 8 }, () => backoff.next())
    expect(delays).toEqual([250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000])
    backoff.reset()
    expect(backoff.next()).toBe(DEFAULT_BACKOFF.initial)
  })

  it('takes a different cap (and, for tests, a different start)', () => {
    const backoff = new Backoff({ initial: 1, max: 4 })
    expect([backoff.next(), backoff.next(), backoff.next(), backoff.next()]).toEqual([1, 2, 4, 4])
    expect(backoffPolicy({ max: 60_000 })).toEqual({ initial: 250, max: 60_000 })
    expect(backoffPolicy({ initial: 20_000 })).toEqual({ initial: 20_000, max: 20_000 })
    expect(nextDelay({ initial: 3, max: 5 }, undefined)).toBe(3)
    expect(nextDelay({ initial: 3, max: 5 }, 3)).toBe(5)
  })

  it('refuses a policy that cannot work', () => {
    for (const bad of [{ initial: 0 }, { initial: -1 }, { initial: Number.NaN }, { initial: 10, max: 5 }, { max: Infinity }]) {
      expect(() => backoffPolicy(bad), JSON.stringify(bad)).toThrow(OutOfRangeError)
    }
    expect(() => new BackoffMap({}, 0)).toThrow(OutOfRangeError)
  })
})

describe('BackoffMap', () => {
  it('holds a failed key back for its delay, doubling per failure, until it succeeds', () => {
    const map = new BackoffMap<string>({ initial: 100, max: 300 })
    expect(map.ready('a', 0)).toBe(true)
    expect(map.failed('a', 0)).toBe(100)
    expect(map.ready('a', 99)).toBe(false)
    expect(map.readyIn('a', 40)).toBe(60)
    expect(map.readyIn('a', 150)).toBe(0)
    expect(map.readyIn('b', 40)).toBe(0)
    expect(map.ready('a', 100)).toBe(true)
    expect(map.ready('b', 50)).toBe(true)
    expect(map.failed('a', 100)).toBe(200)
    expect(map.failed('a', 300)).toBe(300)
    expect(map.failed('a', 600)).toBe(300)
    expect(map.ready('a', 899)).toBe(false)
    map.succeeded('a')
    expect(map.ready('a', 899)).toBe(true)
    expect(map.size).toBe(0)
    expect(map.failed('a', 1000)).toBe(100)
  })

  it('holds a key back once without counting a failure', () => {
    const map = new BackoffMap<string>({ initial: 100, max: 300 })
    map.hold('a', 1000, 0)
    expect(map.ready('a', 999)).toBe(false)
    expect(map.readyIn('a', 400)).toBe(600)
    map.hold('a', 5000, 500) // already held: unchanged
    expect(map.ready('a', 1000)).toBe(true)
    expect(map.failed('a', 1000)).toBe(100) // the first failure after a hold starts at initial
    map.hold('a', 5000, 1000) // failed: a hold does not shorten or lengthen it
    expect(map.readyIn('a', 1000)).toBe(100)
  })

  it('keeps at most maxEntries keys: expired ones go first, then the oldest', () => {
    const map = new BackoffMap<number>({ initial: 1000 }, 3)
    map.failed(1, 0)
    map.failed(2, 0)
    map.failed(3, 500)
    map.failed(4, 1200) // 1 and 2 have expired: both dropped
    expect(map.size).toBe(2)
    map.failed(5, 1300)
    map.failed(6, 1400) // nothing expired: the oldest (3) goes
    expect(map.size).toBe(3)
    expect(map.ready(3, 1400)).toBe(true)
    expect(map.ready(4, 1400)).toBe(false)
    for (let i = 0; i < 10_000; i++) map.failed(100 + i, 2000)
    expect(map.size).toBe(3)
  })
})
