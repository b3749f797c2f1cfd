import type { AbortOptions } from '../store/block-store.js'
import type { PeerStatus } from '../wire/messages.js'

export interface FakeDialingMeshInit {
  /** Dials that fail (with 'ECONNREFUSED') before they succeed (default 0). */
  failures?: number
  /** Dials never settle until their signal aborts. */
  hang?: boolean
}

/**
 * Just what dialers use of a `Mesh`: `dial` (the peer reached is
 * `peer-of-<address>`), `peers` and `peer:disconnect`. Records each attempt.
 */
export class FakeDialingMesh extends EventTarget {
  readonly connected = new Set<string>()
  readonly attempts: Array<{ address: string, at: number, signal?: AbortSignal }> = []
  private failures: number
  private readonly hang: boolean
  private waiters: Array<() => void> = []

  constructor (init: FakeDialingMeshInit = {}) {
    super()
    this.failures = init.failures ?? 0
    this.hang = init.hang ?? false
  }

  async dial (address: string, options: AbortOptions = {}): Promise<string> {
    options.signal?.throwIfAborted()
    this.attempts.push({ address, at: performance.now(), ...(options.signal === undefined ? {} : { signal: options.signal }) })
    this.waiters.splice(0).forEach(wake => { wake() })
    if (this.hang) {
      return await new Promise<string>((_resolve, reject) => {
        options.signal?.addEventListener('abort', () => { reject(options.signal?.reason) })
      })
    }
    if (this.failures-- > 0) throw new Error('ECONNREFUSED')
    const peerId = `peer-of-${address}`
    this.connected.add(peerId)
    return peerId
  }

  peers (): PeerStatus[] {
    return [...this.connected].map(peerId => ({ peerId, role: 'host', transport: 'fake', addrs: [], bytesSent: 0, bytesReceived: 0 }))
  }

  /** The connection to `peerId` closes. */
  drop (peerId: string): void {
    this.connected.delete(peerId)
    this.dispatchEvent(new CustomEvent('peer:disconnect', { detail: { peerId } }))
  }

  /** Resolves at the next dial attempt. */
  async nextAttempt (): Promise<void> {
    await new Promise<void>(resolve => this.waiters.push(resolve))
  }
}
