/**
 * Whether a block that no connected peer has could still turn up: this tab
 * is still reaching its host, a WebRTC link to a tab is being negotiated,
 * the hosts named a tab this tab is not linked to yet (the link comes from
 * whichever of the two opens it), or a tab linked a moment ago may not have
 * announced its blocks yet (none of that for a tab without WebRTC, which links
 * to no tab). Otherwise every peer that could have it has
 * answered, and "not available" is the answer now, as in the CLI.
 */
import type { PeerStatus } from '@cairn/core'
import type { Tab } from './tab.js'
import { DEFAULT_MAX_RTC_PEERS } from './rtc-peers.js'

/** A newly linked tab greets with the blocks it holds at once; this covers its delivery. */
const ANNOUNCE_GRACE_MS = 3_000

const arrivals = new WeakMap<Tab, Map<string, number>>()

/** Start noting when peers connect (call before the first `peersComing`, e.g. when opening a link). */
export function trackArrivals (tab: Tab): void {
  if (arrivals.has(tab)) return
  const seen = new Map<string, number>()
  arrivals.set(tab, seen)
  tab.mesh.addEventListener('peer:connect', event => {
    const peer = (event as CustomEvent<PeerStatus>).detail
    if (peer.role === 'browser') seen.set(peer.peerId, performance.now())
  })
}

/** A tab that connected within the grace period (and forget older ones). */
function justArrived (tab: Tab): boolean {
  const seen = arrivals.get(tab)
  if (seen === undefined) return false
  const now = performance.now()
  for (const [peerId, at] of seen) if (now - at >= ANNOUNCE_GRACE_MS) seen.delete(peerId)
  return seen.size > 0
}

export function peersComing (tab: Tab): boolean {
  trackArrivals(tab)
  if (tab.state !== 'connected') return true
  if (tab.rtc.pending > 0 || justArrived(tab)) return true
  const connected = new Set(tab.mesh.peers().map(p => p.peerId))
  const tabs = tab.mesh.peers().filter(p => p.role === 'browser').length
  if (tabs >= DEFAULT_MAX_RTC_PEERS) return false
  // Without WebRTC no link to another tab is coming: what only tabs hold is out of reach.
  if (tab.rtc.status.state === 'unavailable') return false
  return tab.mesh.knownPeers().some(p => p.role === 'browser' && p.peerId !== tab.peerId && !connected.has(p.peerId))
}
