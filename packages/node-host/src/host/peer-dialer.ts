/**
 * Keeps a host connected to its `--peer` addresses: dials each one, waits
 * while the connection lives, and redials with exponential backoff when it
 * drops or cannot be made. Stops on `stop()`.
 */
import { setTimeout as delay } from 'node:timers/promises'
import type { Mesh } from '@cairn/core'

export interface PeerDialerInit {
  /** First retry delay in ms (default 250). */
  initialBackoff?: number
  /** Longest retry delay in ms (default 10 000). */
  maxBackoff?: number
  /** Bound on one dial attempt, handshake included, in ms (default 15 000). */
  dialTimeout?: number
  log?: (line: string) => void
}

export const DEFAULT_INITIAL_BACKOFF = 250
export const DEFAULT_MAX_BACKOFF = 10_000
export const DEFAULT_DIAL_TIMEOUT = 15_000

/** Resolves when `peerId` is no longer among `mesh`'s peers, or on abort. */
async function whileConnected (mesh: Mesh, peerId: string, signal: AbortSignal): Promise<void> {
  await new Promise<void>(resolve => {
    const done = (): void => {
      mesh.removeEventListener('peer:disconnect', onDisconnect)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const onDisconnect = (): void => {
      if (!mesh.peers().some(p => p.peerId === peerId)) done()
    }
    mesh.addEventListener('peer:disconnect', onDisconnect)
    signal.addEventListener('abort', done)
    onDisconnect()
  })
}

export class PeerDialer {
  private readonly controller = new AbortController()
  private readonly loops: Array<Promise<void>> = []
  private readonly init: Required<Omit<PeerDialerInit, 'log'>> & { log: (line: string) => void }

  constructor (private readonly mesh: Mesh, private readonly addresses: string[], init: PeerDialerInit = {}) {
    this.init = {
      initialBackoff: init.initialBackoff ?? DEFAULT_INITIAL_BACKOFF,
      maxBackoff: init.maxBackoff ?? DEFAULT_MAX_BACKOFF,
      dialTimeout: init.dialTimeout ?? DEFAULT_DIAL_TIMEOUT,
      log: init.log ?? (() => {})
    }
  }

  start (): void {
    for (const address of this.addresses) this.loops.push(this.keep(address))
  }

  async stop (): Promise<void> {
    this.controller.abort()
    await Promise.allSettled(this.loops)
  }

  private async keep (address: string): Promise<void> {
    const { signal } = this.controller
    let backoff = this.init.initialBackoff
    let lastError = ''
    while (!signal.aborted) {
      try {
        const peerId = await this.mesh.dial(address, { signal: AbortSignal.any([signal, AbortSignal.timeout(this.init.dialTimeout)]) })
        backoff = this.init.initialBackoff
        lastError = ''
        await whileConnected(this.mesh, peerId, signal)
        if (!signal.aborted) this.init.log(`lost peer ${address} (${peerId}); redialing`)
      } catch (err) {
        if (signal.aborted) return
        const reason = err instanceof Error ? err.message : String(err)
        if (reason !== lastError) this.init.log(`cannot reach peer ${address}: ${reason}; retrying`)
        lastError = reason
      }
      await delay(backoff, undefined, { signal }).catch(() => {})
      backoff = Math.min(backoff * 2, this.init.maxBackoff)
    }
  }
}
