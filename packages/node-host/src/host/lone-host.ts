/**
 * A host with a replica target R > 1 and no other host keeps the only copy of
 * everything it is given, and `put` still succeeds (W = min(2, live hosts)).
 * Say so: at start when it has no peer to dial, when none of its peers has
 * answered after a grace period, and whenever its last host peer goes away.
 */
import type { Mesh, PeerStatus } from '@cairn/core'

export interface LoneHostInit {
  /** The replica target R. */
  replicas: number
  /** Addresses the host dials (`--peer` and remembered ones). */
  dialing: number
  warn: (line: string) => void
  /** How long peers may take to answer before the host warns, ms (default 15 000). */
  grace?: number
}

export const DEFAULT_LONE_GRACE = 15_000

/** Starts watching; returns a function that stops. */
export function warnWhenAlone (mesh: Mesh, init: LoneHostInit): () => void {
  if (init.replicas <= 1) return () => {}
  const copies = `each new block gets 1 copy, not ${init.replicas}`
  const hosts = new Set(mesh.peers().filter(p => p.role === 'host').map(p => p.peerId))
  let timer: ReturnType<typeof setTimeout> | undefined
  if (init.dialing === 0) {
    init.warn(`this host has no peers: ${copies}; add one with --peer ws://HOST:PORT or a join URL (it is remembered)`)
  } else {
    timer = setTimeout(() => {
      if (hosts.size === 0) init.warn(`no peer has answered yet (dialing ${init.dialing}): until one does, ${copies}`)
    }, init.grace ?? DEFAULT_LONE_GRACE)
  }
  const onConnect = (e: Event): void => {
    const peer = (e as CustomEvent<PeerStatus>).detail
    if (peer.role === 'host') hosts.add(peer.peerId)
  }
  const onDisconnect = (e: Event): void => {
    const { peerId } = (e as CustomEvent<{ peerId: string }>).detail
    if (hosts.delete(peerId) && hosts.size === 0) init.warn(`no other host is connected: until one is, ${copies}`)
  }
  mesh.addEventListener('peer:connect', onConnect)
  mesh.addEventListener('peer:disconnect', onDisconnect)
  return () => {
    clearTimeout(timer)
    mesh.removeEventListener('peer:connect', onConnect)
    mesh.removeEventListener('peer:disconnect', onDisconnect)
  }
}
