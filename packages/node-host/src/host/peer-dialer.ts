/**
 * Keeps a host connected to its `--peer` addresses: core `keepDialing` for
 * each (dial, wait while the connection lives, redial with the mesh's
 * backoff), with a log line when a peer is lost or cannot be reached. Stops
 * on `stop()`.
 */
import { DEFAULT_DIAL_TIMEOUT, keepDialing } from '@cairn/core/mesh'
import type { Mesh } from '@cairn/core'

export interface PeerDialerInit {
  /** First retry delay in ms (default `DEFAULT_BACKOFF.initial`; tests shorten it). */
  initialBackoff?: number
  /** Longest retry delay in ms (default `DEFAULT_BACKOFF.max`). */
  maxBackoff?: number
  /** Bound on one dial attempt, handshake included, in ms (default `DEFAULT_DIAL_TIMEOUT`). */
  dialTimeout?: number
  log?: (line: string) => void
  /** Stop dialing `address` after this failure when it returns true (`reached`: a dial to it succeeded before). */
  giveUp?: (address: string, err: unknown, reached: boolean) => boolean
}

export class PeerDialer {
  private readonly controller = new AbortController()
  private readonly loops: Array<Promise<void>> = []
  private readonly log: (line: string) => void

  constructor (private readonly mesh: Mesh, private readonly addresses: string[], private readonly init: PeerDialerInit = {}) {
    this.log = init.log ?? (() => {})
  }

  start (): void {
    for (const address of this.addresses) this.loops.push(this.keep(address))
  }

  async stop (): Promise<void> {
    this.controller.abort()
    await Promise.allSettled(this.loops)
  }

  private async keep (address: string): Promise<void> {
    let lastError = ''
    let reached = false
    const given = new AbortController()
    await keepDialing(this.mesh, address, {
      signal: AbortSignal.any([this.controller.signal, given.signal]),
      backoff: {
        ...(this.init.initialBackoff === undefined ? {} : { initial: this.init.initialBackoff }),
        ...(this.init.maxBackoff === undefined ? {} : { max: this.init.maxBackoff })
      },
      dialTimeout: this.init.dialTimeout ?? DEFAULT_DIAL_TIMEOUT,
      onConnected: () => { lastError = ''; reached = true },
      onLost: peerId => { this.log(`lost peer ${address} (${peerId}); redialing`) },
      onFailed: err => {
        if (this.init.giveUp?.(address, err, reached) === true) {
          given.abort()
          return
        }
        const reason = err instanceof Error ? err.message : String(err)
        if (reason !== lastError) this.log(`cannot reach peer ${address}: ${reason}; retrying`)
        lastError = reason
      }
    })
  }
}
