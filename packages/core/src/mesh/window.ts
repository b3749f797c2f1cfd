/*
 * A per-peer window of block requests in flight, sized from the peer's
 * measured throughput: enough requests to cover `TARGET_LATENCY_MS` of
 * transfer, clamped to [MIN_WINDOW, MAX_WINDOW]. Timeouts halve it.
 */

export const INITIAL_WINDOW = 4
export const MIN_WINDOW = 1
export const MAX_WINDOW = 32
/** Data in flight to aim for, expressed as time at the measured rate. */
export const TARGET_LATENCY_MS = 500
/** Weight of a new throughput sample in the moving average. */
const EWMA_WEIGHT = 0.25
/** A request may take this many times its expected transfer time before timing out. */
const TIMEOUT_SLACK = 4

export class FetchWindow {
  size = INITIAL_WINDOW
  inFlight = 0
  /** Bytes per second while busy; 0 until measured. */
  rate = 0
  /** Average block size seen, in bytes. */
  avgBlock = 0
  private lastDone = 0

  get free (): boolean {
    return this.inFlight < this.size
  }

  /** Requests in flight relative to the window (0 idle, ≥ 1 full). */
  get load (): number {
    return this.inFlight / this.size
  }

  /** Take a slot; returns the start time to pass to `succeed`. */
  start (): number {
    this.inFlight++
    return performance.now()
  }

  succeed (started: number, bytes: number): void {
    this.inFlight = Math.max(0, this.inFlight - 1)
    const now = performance.now()
    const interval = Math.max(1, now - Math.max(started, this.lastDone))
    this.lastDone = now
    const sample = bytes * 1000 / interval
    this.rate = this.rate === 0 ? sample : this.rate + EWMA_WEIGHT * (sample - this.rate)
    this.avgBlock = this.avgBlock === 0 ? bytes : this.avgBlock + EWMA_WEIGHT * (bytes - this.avgBlock)
    if (this.avgBlock <= 0) return
    const target = Math.ceil(this.rate * TARGET_LATENCY_MS / 1000 / this.avgBlock)
    const bounded = Math.min(Math.max(target, Math.ceil(this.size / 2)), this.size * 2)
    this.size = Math.min(MAX_WINDOW, Math.max(MIN_WINDOW, bounded))
  }

  /** A request ended without a block; a timeout also halves the window. */
  fail (timedOut: boolean): void {
    this.inFlight = Math.max(0, this.inFlight - 1)
    if (timedOut) this.size = Math.max(MIN_WINDOW, Math.floor(this.size / 2))
  }

  /** Time bound for a request started now: `floor` plus slack over the expected transfer. */
  timeout (floor: number): number {
    if (this.rate <= 0 || this.avgBlock <= 0) return floor
    const expected = (this.inFlight + 1) * this.avgBlock * 1000 / this.rate
    return Math.ceil(floor + TIMEOUT_SLACK * expected)
  }
}
