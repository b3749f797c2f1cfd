import type { Mesh } from '../mesh/api.js'
import { Backoff, type BackoffPolicy } from './backoff.js'
import { pause } from './pause.js'
import { DEFAULT_DIAL_TIMEOUT } from './timeouts.js'

/** What `keepDialing` uses of a mesh node. */
export type DialingMesh = Pick<Mesh, 'dial' | 'peers' | 'addEventListener' | 'removeEventListener'>

export interface KeepDialingInit {
  /** Stops the loop (and a dial in progress). */
  signal: AbortSignal
  /** Redial delays (default `DEFAULT_BACKOFF`). */
  backoff?: Partial<BackoffPolicy>
  /** Bound on one dial, handshake included, in ms (default `DEFAULT_DIAL_TIMEOUT`). */
  dialTimeout?: number
  /** A dial starts. */
  onDialing?: () => void
  /** The dial reached `peerId`. */
  onConnected?: (peerId: string) => void
  /** The connection to `peerId` dropped; a redial follows after the backoff. */
  onLost?: (peerId: string) => void
  /** A dial failed; another follows after the backoff. */
  onFailed?: (error: unknown) => void
}

/**
 * Keep `address` connected until `signal` aborts: dial it, wait while the
 * connection lives, and redial with backoff whenever a dial fails or the
 * connection drops. Resolves once stopped; never rejects (failures go to
 * `onFailed`).
 */
export async function keepDialing (mesh: DialingMesh, address: string, init: KeepDialingInit): Promise<void> {
  const { signal } = init
  const backoff = new Backoff(init.backoff)
  const dialTimeout = init.dialTimeout ?? DEFAULT_DIAL_TIMEOUT
  while (!signal.aborted) {
    init.onDialing?.()
    try {
      const peerId = await mesh.dial(address, { signal: AbortSignal.any([signal, AbortSignal.timeout(dialTimeout)]) })
      backoff.reset()
      init.onConnected?.(peerId)
      await whileConnected(mesh, peerId, signal)
      if (signal.aborted) return
      init.onLost?.(peerId)
    } catch (err) {
      if (signal.aborted) return
      init.onFailed?.(err)
    }
    await pause(backoff.next(), signal)
  }
}

/** Resolves when `peerId` is no longer among `mesh`'s peers, or on abort. */
async function whileConnected (mesh: DialingMesh, peerId: string, signal: AbortSignal): Promise<void> {
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
