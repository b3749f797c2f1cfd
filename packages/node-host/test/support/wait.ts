/**
 * Waiting on a condition that has no event to wait for (a `cairn status`
 * reading, a file appearing): check at once, then again after 10 ms, doubling
 * the pause up to `interval` (100 ms unless told). Where an event exists, wait
 * on it instead (`HostProcess.waitForStderr`, `HostProcess.exited`).
 */

/** First pause between checks, in ms. */
export const FIRST_PAUSE = 10
/** Longest pause between checks unless `interval` says otherwise, in ms. */
export const MAX_PAUSE = 100

export interface WaitOptions {
  /** Give up after this many ms (default 60 s). */
  timeout?: number
  /** The longest pause between two checks, in ms (default 100). */
  interval?: number
}

/** Check until `check` returns a value other than undefined, or fail after `timeout` ms. */
export async function waitFor<T> (what: string, check: () => Promise<T | undefined>, { timeout = 60_000, interval = MAX_PAUSE }: WaitOptions = {}): Promise<T> {
  const deadline = Date.now() + timeout
  let pause = Math.min(FIRST_PAUSE, interval)
  let last: unknown
  for (;;) {
    try {
      const value = await check()
      if (value !== undefined) return value
    } catch (err) {
      last = err
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`, { cause: last })
    await new Promise(resolve => setTimeout(resolve, pause))
    pause = Math.min(pause * 2, interval)
  }
}
