import { describe, expect, it } from 'vitest'
import { FetchWindow, INITIAL_WINDOW, MAX_WINDOW, MIN_WINDOW } from './window.js'

/** Complete `n` requests of `bytes`, each `ms` after the previous. */
function run (window: FetchWindow, n: number, bytes: number, ms: number): void {
  let clock = 0
  const now = performance.now
  performance.now = () => clock
  try {
    for (let i = 0; i < n; i++) {
      const started = window.start()
      clock += ms
      window.succeed(started, bytes)
    }
  } finally {
    performance.now = now
  }
}

describe('fetch window', () => {
  it('starts at the initial size and grows on a fast peer, up to the maximum', () => {
    const window = new FetchWindow()
    expect(window.size).toBe(INITIAL_WINDOW)
    run(window, 20, 1 << 20, 1) // ~1 GB/s
    expect(window.size).toBe(MAX_WINDOW)
  })

  it('shrinks on a slow peer and on timeouts, never below the minimum', () => {
    const window = new FetchWindow()
    run(window, 20, 1 << 20, 2000) // ~0.5 MB/s: 1 MiB takes 2 s
    expect(window.size).toBe(MIN_WINDOW)
    const other = new FetchWindow()
    other.start()
    other.fail(true)
    expect(other.size).toBe(INITIAL_WINDOW / 2)
    for (let i = 0; i < 5; i++) { other.start(); other.fail(true) }
    expect(other.size).toBe(MIN_WINDOW)
    expect(other.inFlight).toBe(0)
  })

  it('scales the request timeout with the expected transfer time', () => {
    const window = new FetchWindow()
    expect(window.timeout(1000)).toBe(1000)
    run(window, 5, 1 << 20, 1000) // ~1 MB/s
    expect(window.timeout(1000)).toBeGreaterThan(4000)
  })
})
