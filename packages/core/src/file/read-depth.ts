/** Blocks an adaptive read first keeps requested ahead of the one being read (at most its `max`). */
export const START_DEPTH = 4
/**
 * The fewest it keeps (at most its `max`): below this the reader would run
 * dry in a short stall of its own (a slow disk write). A window of d blocks
 * never counts d queued, so the rule below could not shrink past 3 anyway.
 */
export const MIN_DEPTH = 3
/** Fewer blocks than this queued in the pipe: it has room, one deeper. */
const GROW_BELOW = 1
/** More than this: blocks only wait in it, one shallower. */
const SHRINK_ABOVE = 3
/**
 * The least base latency, ms: a block answered from memory (a local store) or
 * timed by a browser's coarse clock can take "0 ms", which would make every
 * later block look queued.
 */
const BASE_FLOOR = 1

/**
 * How many blocks a read keeps requested ahead, between MIN_DEPTH and `max`,
 * set by each block's latency the way TCP Vegas sets a congestion window: the
 * fastest block seen in the read (at least BASE_FLOOR) is the path's base
 * latency; with `depth` blocks asked for and a block taking `latency`, about
 * depth × (1 − base / latency) of them are queued somewhere (at the host, in
 * the socket, behind the reader's own busy thread) rather than needed to
 * cover the latency. Fewer than one: one deeper; more than three: one
 * shallower. Judged at every block, not once per round trip as Vegas does: a
 * change shows in the latencies only a round trip later, so it overshoots by
 * up to a round trip's blocks before it corrects, and in return reaches a
 * distant host's depth within a round trip or two (a once-per-round-trip
 * variant was slower to get there through a 50 ms delay, 139 vs 168 MiB/s
 * for 256 MiB, and no better over loopback).
 *
 * Over a distant link a block's latency stays near the base until the window
 * covers it, so the window deepens to `max`. Near (loopback, a LAN) the reader
 * is the slower side, a deeper window only lengthens the queue, and the depth
 * settles at a few blocks: blocks then do not wait long enough to outlive V8's
 * young generation or the CPU's caches (`cairn get` over loopback: 25 full
 * garbage collections per GiB at a fixed depth of 16, none at 4; 400 → 450
 * MiB/s and 2.8 → 2.4 CPU-s/GiB, while 50 ms away it still reaches 16).
 *
 * The base is the read's fastest block and is never raised: one read from
 * several hosts at different distances is judged by the nearest, and keeps a
 * shallower window than the far ones would need (the CLI's get reads from
 * the one host it dialled).
 */
export class ReadDepth {
  readonly #max: number
  readonly #min: number
  #depth: number
  #base = Infinity

  constructor (max: number) {
    this.#max = max
    this.#min = Math.min(max, MIN_DEPTH)
    this.#depth = Math.min(max, START_DEPTH)
  }

  get value (): number {
    return this.#depth
  }

  /** A block arrived `latency` ms after it was requested (anything but a finite duration is ignored). */
  sample (latency: number): void {
    if (!Number.isFinite(latency) || latency < 0) return
    this.#base = Math.min(this.#base, Math.max(BASE_FLOOR, latency))
    const queued = this.#depth * (1 - this.#base / Math.max(this.#base, latency))
    if (queued < GROW_BELOW) this.#depth = Math.min(this.#max, this.#depth + 1)
    else if (queued > SHRINK_ABOVE) this.#depth = Math.max(this.#min, this.#depth - 1)
  }
}
