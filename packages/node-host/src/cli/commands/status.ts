/** `cairn status`: the connected host's peers, blocks, bytes and replica health. */
import type { HostStatus, PeerStatus } from '@cairn/core'
import { formatSize } from '../../config/index.js'
import { connectClient, resolveTarget, type TargetOptions } from '../client.js'
import { interruptSignal } from '../interrupt.js'
import { printJson, printLine } from '../output.js'

export interface StatusOptions extends TargetOptions {
  json?: boolean
}

function peerLine (peer: PeerStatus): string {
  const moved = `sent ${formatSize(peer.bytesSent)}, received ${formatSize(peer.bytesReceived)}`
  return `  ${peer.peerId}  ${peer.role.padEnd(7)} ${peer.transport.padEnd(9)} ${moved}${peer.addrs.length > 0 ? `  ${peer.addrs.join(' ')}` : ''}`
}

function printHuman (status: HostStatus, origin: string): void {
  const roles = (role: string): number => status.peers.filter(p => p.role === role).length
  printLine(`host              ${status.peerId} (${origin})`)
  printLine(`peers             ${status.peers.length} (${roles('host')} hosts, ${roles('browser')} tabs, ${roles('client')} clients)`)
  for (const peer of status.peers) printLine(peerLine(peer))
  printLine(`blocks            ${status.blocks} (${formatSize(status.bytes)})`)
  printLine(`under-replicated  ${status.underReplicated}`)
}

export async function statusCommand (options: StatusOptions): Promise<void> {
  const signal = interruptSignal()
  const client = await connectClient(await resolveTarget(options), { signal })
  try {
    const status = await client.mesh.requestStatus(client.hostId, { signal })
    if (options.json === true) {
      const { peerId, peers, blocks, bytes, underReplicated } = status
      printJson({ peerId, peers, blocks, bytes, underReplicated })
    } else {
      printHuman(status, client.target.origin)
    }
  } finally {
    await client.close()
  }
}
