import { ProtocolError } from '../errors.js'
import type { IceServer, Role } from '../wire/messages.js'
import { validateMessage } from '../wire/schema.js'
import type { Peer } from './peer.js'

/**
 * ICE servers for WebRTC links: a host hands its configured list to every
 * tab that joins; a tab keeps the latest list a host sent (none until then).
 */
export class IceServers {
  private readonly role: Role
  private readonly configured: IceServer[]
  private received: IceServer[] = []
  private readonly emit: (type: string, detail: unknown) => void

  /** Throws (as the tabs would) if `servers` is not a valid list. */
  constructor (role: Role, servers: IceServer[] | undefined, emit: (type: string, detail: unknown) => void) {
    this.role = role
    this.emit = emit
    // Checked as the tabs will check them, so a bad list fails here and not in every tab.
    this.configured = servers === undefined ? [] : (validateMessage({ t: 'ice', servers }) as { servers: IceServer[] }).servers
  }

  /** The list a tab uses: the latest a host handed it. */
  list (): IceServer[] {
    return this.received
  }

  /** A peer joined: a host hands a tab its list. */
  greet (peer: Peer): void {
    if (this.role === 'host' && peer.role === 'browser' && this.configured.length > 0) {
      peer.post({ t: 'ice', servers: this.configured })
    }
  }

  /** An `ice` message. A throw is a protocol fault of the sender (a strike). */
  receive (peer: Peer, servers: IceServer[]): void {
    if (peer.role !== 'host') throw new ProtocolError('ice from a peer that is not a host')
    if (this.role !== 'browser') throw new ProtocolError('ice sent to a node that is not a browser')
    this.received = servers
    this.emit('ice', { from: peer.peerId, servers })
  }
}
