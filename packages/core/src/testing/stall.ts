/**
 * Detecting that a writer has stalled, without fixed sleeps: poll a progress
 * counter and call it stalled once it has not moved for `quietPolls`
 * consecutive polls. With `pollMs: 0` each poll is one macrotask turn, which
 * is enough for in-memory transports (all progress is microtasks and
 * timers); real sockets need a small `pollMs` so the kernel and the peer get
 * a chance to move data between polls.
 */
export interface StallInit {
  /** Milliseconds between polls (default 0: one event-loop turn). */
  pollMs?: number
  /** Consecutive polls without progress that count as a stall (default 5). */
  quietPolls?: number
  /** Give up after this many polls and return the count reached (default 10 000). */
  maxPolls?: number
}

export async function waitForStall (progress: () => number, init: StallInit = {}): Promise<number> {
  const pollMs = init.pollMs ?? 0
  const quietPolls = init.quietPolls ?? 5
  const maxPolls = init.maxPolls ?? 10_000
  let last = progress()
  let quiet = 0
  for (let i = 0; i < maxPolls && quiet < quietPolls; i++) {
    await new Promise(resolve => setTimeout(resolve, pollMs))
    const now = progress()
    if (now === last) quiet++
    else { quiet = 0; last = now }
  }
  return progress()
}
