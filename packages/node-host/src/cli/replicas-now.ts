/** How many live storing hosts hold each of some blocks now: the CLI's own count, asked of every host it can reach. */
import type { BlockId } from '@cairn/core'
import type { MeshClient } from './client.js'

/** Hosts the count dials at most besides the one connected. */
const MAX_HOSTS = 32

export async function replicasNow (client: MeshClient, cids: BlockId[], signal: AbortSignal): Promise<number[]> {
  const { mesh } = client
  const known = mesh.knownPeers().filter(p => p.role === 'host' && p.peerId !== client.hostId).slice(0, MAX_HOSTS)
  await Promise.all(known.map(async peer => await mesh.dial(peer.addrs[0] ?? '', { signal }).catch(() => undefined)))
  const hosts = mesh.peers().filter(p => p.role === 'host').map(p => p.peerId)
  const counts = cids.map(() => 0)
  await Promise.all(hosts.map(async id => {
    const held = await mesh.heldBy(id, cids, { signal }).catch(() => [] as boolean[])
    held.forEach((yes, i) => { if (yes) counts[i]!++ })
  }))
  return counts
}
