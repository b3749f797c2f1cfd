/**
 * Whether a host this tab is connected to relays blocks between tabs that
 * cannot link directly (`cairn host --relay`; a host with a store relays by
 * default): it says so in its hello (`PeerStatus.relays`). Through such a
 * host, a tab without WebRTC still reads a file only another tab holds.
 */
import type { PeerStatus } from '@cairn/core'

/** The connected hosts that relay. */
export function relayingHosts (peers: readonly PeerStatus[]): PeerStatus[] {
  return peers.filter(peer => peer.role === 'host' && peer.relays === true)
}

/** One line for the Mesh panel. */
export function relayText (peers: readonly PeerStatus[]): string {
  const hosts = relayingHosts(peers)
  if (hosts.length === 0) {
    return 'Host relay: no connected host relays blocks between tabs, so a file that only another tab holds needs a direct link (a host started with --relay passes it on).'
  }
  const names = hosts.map(host => host.name ?? host.peerId.slice(0, 12)).join(', ')
  return `Host relay: ${names} relay${hosts.length === 1 ? 's' : ''} blocks between tabs that cannot link directly.`
}
