import { AbortError } from '../errors.js'

/**
 * Paces bytes to a rate (GCRA, a token bucket without a timer): `take(n)`
 * resolves once n more bytes fit in `rate` bytes per second, allowing a burst
 * of `burstMs` worth. Rate 0 or less: never waits. Used to cap repair traffic
 * so that it does not starve user traffic.
 */
export class Pacer {
  private readonly rate: number
  private readonly burstMs: number
  /** Theoretical arrival time of the next byte (`performance.now()` clock). */
  private tat = 0

  constructor (bytesPerSecond: number, burstMs = 250) {
    this.rate = bytesPerSecond
    this.burstMs = burstMs
  }

  async take (bytes: number, signal?: AbortSignal): Promise<void> {
    if (!(this.rate > 0)) return
    const now = performance.now()
    this.tat = Math.max(this.tat, now)
    const wait = this.tat - now - this.burstMs
    this.tat += bytes * 1000 / this.rate
    if (wait > 0) await sleep(wait, signal)
  }
}

async function sleep (ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted === true) throw new AbortError('aborted', { cause: signal.reason })
  await new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(new AbortError('aborted', { cause: signal?.reason }))
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
