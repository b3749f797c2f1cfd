import { describe, expect, it } from 'vitest'
import { AbortError } from '../errors.js'
import { Pacer } from './pacer.js'

describe('Pacer', () => {
  it('lets a burst through, then holds bytes to the rate', async () => {
    const pacer = new Pacer(100_000, 50)
    const started = performance.now()
    // 5 KB fits the 50 ms burst; 20 KB more needs about 200 ms at 100 KB/s.
    await pacer.take(5_000)
    expect(performance.now() - started).toBeLessThan(40)
    for (let i = 0; i < 4; i++) await pacer.take(5_000)
    const elapsed = performance.now() - started
    expect(elapsed).toBeGreaterThanOrEqual(140)
    expect(elapsed).toBeLessThan(1_000)
  })

  it('never waits at rate 0 and gives up when aborted', async () => {
    const free = new Pacer(0)
    const started = performance.now()
    for (let i = 0; i < 100; i++) await free.take(1e9)
    expect(performance.now() - started).toBeLessThan(50)
    const slow = new Pacer(1_000, 0)
    await slow.take(10_000)
    const controller = new AbortController()
    const waiting = slow.take(1_000, controller.signal)
    controller.abort()
    await expect(waiting).rejects.toBeInstanceOf(AbortError)
  })
})
