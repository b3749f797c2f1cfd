/**
 * `cairn status`: the connected host's peers (this CLI left out), blocks, bytes,
 * replica health (held blocks with fewer than R live copies, R, and how many
 * storing hosts are live) and background failures. Below target is a warning on
 * stderr; the exit code stays 0.
 */
import type { BackgroundFailures, HostStatus, PeerStatus } from '@cairn/core'
import { formatSize } from '../../config/index.js'
import { connectClient, resolveTarget, type TargetOptions } from '../client.js'
import { interruptSignal } from '../interrupt.js'
import { logLine, printJson, printLine } from '../output.js'
import { plural, replicaShortfall } from '../replica-health.js'

export interface StatusOptions extends TargetOptions {
  json?: boolean
}

function peerLine (peer: PeerStatus): string {
  const moved = `sent ${formatSize(peer.bytesSent)}, received ${formatSize(peer.bytesReceived)}`
  const named = peer.name === undefined ? '' : `  "${peer.name}"`
  return `  ${peer.peerId}  ${peer.role.padEnd(7)} ${peer.transport.padEnd(9)} ${moved}${peer.addrs.length > 0 ? `  ${peer.addrs.join(' ')}` : ''}${named}`
}

function printHuman (status: HostStatus, origin: string): void {
  const roles = (role: string): number => status.peers.filter(p => p.role === role).length
  const clients = roles('client') > 0 ? `, ${plural(roles('client'), 'other client')}` : ''
  printLine(`host              ${status.peerId} (${origin})`)
  printLine(`peers             ${status.peers.length} (${plural(roles('host'), 'host')}, ${plural(roles('browser'), 'tab')}${clients})`)
  for (const peer of status.peers) printLine(peerLine(peer))
  const quota = status.capacity === undefined ? '' : ` of ${formatSize(status.capacity)}${status.full === true ? ', FULL: takes no new blocks' : ''}`
  printLine(`blocks            ${status.blocks} (${formatSize(status.bytes)}${quota})`)
  if (status.zone !== undefined) printLine(`zone              ${status.zone}`)
  const live = status.storingHosts === undefined ? '' : `, ${plural(status.storingHosts, 'storing host')} live`
  printLine(`replicas          target ${status.replicas}${live}`)
  printLine(`under-replicated  ${status.underReplicated} of ${status.blocks} blocks have fewer than ${status.replicas} copies`)
  if (status.backgroundFailures !== undefined) printLine(`background fails  ${failuresLine(status.backgroundFailures)}`)
  if (status.relay !== undefined) printLine(`relay             ${relayLine(status)}`)
  if (status.reclaimedBytes !== undefined) printLine(`reclaimed         ${formatSize(status.reclaimedBytes)} (expired, deleted and surplus blocks, since start)`)
}

/** `off`, or what was relayed against the budget: `on, 1.50 MiB relayed of 2.00 GiB (budget)`. */
function relayLine (status: HostStatus): string {
  if (status.relay !== true) return 'off'
  const relayed = formatSize(status.relayedBytes ?? 0)
  if (status.relayBudget === undefined) return `on, ${relayed} relayed since start (no budget)`
  const used = (status.relayedBytes ?? 0) >= status.relayBudget ? ': USED UP, relays no more' : ''
  return `on, ${relayed} relayed of a ${formatSize(status.relayBudget)} budget${used}`
}

/** `0`, or the total and the kinds that failed: `3 (repair 1, send 2)`. */
function failuresLine (failures: BackgroundFailures): string {
  const kinds = Object.entries(failures).filter((entry): entry is [string, number] => (entry[1] ?? 0) > 0)
  const total = kinds.reduce((sum, [, n]) => sum + n, 0)
  return kinds.length === 0 ? '0' : `${total} (${kinds.map(([kind, n]) => `${kind} ${n}`).join(', ')})`
}

export async function statusCommand (options: StatusOptions): Promise<void> {
  const signal = interruptSignal()
  const client = await connectClient(await resolveTarget(options), { signal })
  try {
    const reply = await client.mesh.requestStatus(client.hostId, { signal })
    // This CLI is a peer of the host while it asks: not one worth listing.
    const status = { ...reply, peers: reply.peers.filter(p => p.peerId !== client.mesh.peerId) }
    if (options.json === true) {
      const { peerId, peers, blocks, bytes, underReplicated, replicas, storingHosts, backgroundFailures, reclaimedBytes, zone, capacity, full, relay, relayBudget, relayedBytes } = status
      printJson({ peerId, peers, blocks, bytes, underReplicated, replicas, storingHosts, backgroundFailures, reclaimedBytes, zone, capacity, full, relay, relayBudget, relayedBytes })
    } else {
      printHuman(status, client.target.origin)
    }
    const shortfall = replicaShortfall(status)
    if (shortfall !== undefined) logLine(`cairn: warning: ${shortfall}`)
  } finally {
    await client.close()
  }
}
