import { UnavailableError } from '../errors.js'
import type { SignalMessage } from '../wire/messages.js'
import type { NodeContext } from './context.js'
import type { Gossip } from './gossip.js'
import type { Peer } from './peer.js'

/**
 * WebRTC signaling between tabs, relayed by hosts one hop. A host forwards a
 * `signal` to its `to` if connected, with `from` set to the authenticated
 * sender; a node takes `from` from a host (the relay) but replaces it with
 * the sender's own id when a non-host sends directly.
 */
export class SignalRelay {
  private readonly ctx: NodeContext
  private readonly gossip: Gossip

  constructor (ctx: NodeContext, gossip: Gossip) {
    this.ctx = ctx
    this.gossip = gossip
  }

  async send (to: string, data: Uint8Array): Promise<void> {
    const msg: SignalMessage = { t: 'signal', to, from: this.ctx.peerId, data }
    const direct = this.ctx.peer(to)
    if (direct !== undefined && !direct.isClosed) return await direct.send(msg)
    const hosts = this.ctx.peerList().filter(peer => peer.role === 'host')
    const via = this.gossip.via(to)
    const relay = hosts.find(peer => via.includes(peer.peerId)) ?? hosts[0]
    if (relay === undefined) throw new UnavailableError(`no host can relay a signal to ${to}`)
    await relay.send(msg)
  }

  receive (peer: Peer, msg: SignalMessage): void {
    if (msg.to === this.ctx.peerId) {
      const from = peer.role === 'host' ? msg.from : peer.peerId
      this.ctx.dispatch('signal', { from, data: msg.data })
      return
    }
    if (this.ctx.role !== 'host') return
    const target = this.ctx.peer(msg.to)
    if (target === undefined || target === peer || target.isClosed) return
    target.post({ t: 'signal', to: msg.to, from: peer.peerId, data: msg.data })
  }
}
