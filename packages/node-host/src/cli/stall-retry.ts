/**
 * A transfer whose peers went silent (the connection dropped, requests timed
 * out, no peer left to ask) is retried with the mesh's one backoff, redialing
 * the target in between, until `timeout` ms pass without progress; then it
 * fails with `UnavailableError` (exit 5). A definite answer (a host that says
 * it does not have a block, bad bytes, a wrong key) fails at once.
 */
import { CairnError, UnavailableError } from '@cairn/core'
import { Backoff, DEFAULT_DIAL_TIMEOUT, pause } from '@cairn/core/mesh'
import type { MeshClient } from './client.js'

/** Default `--timeout`: how long a transfer may make no progress before it fails. */
export const DEFAULT_STALL_TIMEOUT = 180_000

const SILENCE = new Set(['ERR_TIMEOUT', 'ERR_CONNECTION_CLOSED'])

function codeOf (err: unknown): string | undefined {
  return err instanceof CairnError ? err.code : undefined
}

/** True when `err` means "nobody answered", not "the answer was no". */
export function isStall (err: unknown): boolean {
  const code = codeOf(err)
  if (code !== undefined && SILENCE.has(code)) return true
  if (code !== 'ERR_UNAVAILABLE') return false
  const cause = (err as Error).cause
  // No cause: no reachable peer was left to ask at all.
  return cause === undefined || SILENCE.has(codeOf(cause) ?? '')
}

/** Dial the target again unless a peer is still connected. */
async function reconnect (client: MeshClient, signal: AbortSignal): Promise<void> {
  if (client.mesh.peers().length > 0) return
  await client.mesh.dial(client.target.address, { signal: AbortSignal.any([signal, AbortSignal.timeout(DEFAULT_DIAL_TIMEOUT)]) })
}

export interface StallRetryInit {
  client: MeshClient
  signal: AbortSignal
  /** Milliseconds without progress before giving up. */
  timeout: number
  /** A number that grows while the transfer makes progress (bytes done). */
  progress: () => number
  /** Told before each wait (e.g. to say so on a TTY). */
  onStall?: (delay: number, error: unknown) => void
}

/** Run `attempt` until it succeeds, retrying stalls (see above). */
export async function retryStalls<T> (attempt: () => Promise<T>, init: StallRetryInit): Promise<T> {
  const backoff = new Backoff()
  let seen = init.progress()
  let since = Date.now()
  for (;;) {
    try {
      return await attempt()
    } catch (err) {
      if (init.signal.aborted || !isStall(err)) throw err
      if (init.progress() !== seen) {
        seen = init.progress()
        since = Date.now()
        backoff.reset()
      }
      const delay = backoff.next()
      if (Date.now() + delay - since > init.timeout) {
        const seconds = Math.round(init.timeout / 1000)
        throw new UnavailableError(`no peer delivered anything for ${seconds} s (--timeout): ${(err as Error).message}`, { cause: err })
      }
      init.onStall?.(delay, err)
      await pause(delay, init.signal)
      if (init.signal.aborted) throw err
      // A failed dial is one more stall: the next attempt finds no peer and backs off again.
      await reconnect(init.client, init.signal).catch(() => {})
    }
  }
}
