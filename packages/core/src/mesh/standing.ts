/**
 * This node's standing for placement: its zone and weight (checked once, sent
 * in `hello`), whether it is full (over its high-water mark), and the list of
 * live storing hosts, itself included, that placement ranks.
 */
import { InvalidArgumentError } from '../errors.js'
import type { BlockStore } from '../store/block-store.js'
import { MAX_ZONE_LENGTH } from '../wire/limits.js'
import type { HelloMessage, Role } from '../wire/messages.js'
import type { StoringHost } from './context.js'
import { isStoringHost } from './context.js'
import type { Peer } from './peer.js'

/** A host over this fraction of its quota takes no new blocks. */
export const DEFAULT_HIGH_WATER = 0.95
/** What the wire accepts as a zone name. */
const ZONE = new RegExp(`^[\\x21-\\x7e]{1,${MAX_ZONE_LENGTH}}$`)

export interface StandingInit {
  peerId: string
  role: Role
  store: BlockStore | undefined
  zone?: string | undefined
  weight?: number | undefined
  highWater?: number | undefined
}

export class Standing {
  readonly zone: string | undefined
  /** The placement weight as sent in `hello` (a whole number), so every host ranks with the same value. */
  readonly weight: number | undefined
  /** This host is over its high-water mark (as of the last check). */
  full = false
  /** Its store has a quota (known from the first `takesBlocks`): only then can it become full. */
  quota = false

  constructor (private readonly init: StandingInit) {
    if (init.zone !== undefined && !ZONE.test(init.zone)) throw new InvalidArgumentError(`zone must be 1..${MAX_ZONE_LENGTH} visible ASCII characters`)
    this.zone = init.zone
    this.weight = init.weight === undefined || !Number.isFinite(init.weight) ? undefined : Math.max(0, Math.min(Number.MAX_SAFE_INTEGER, Math.round(init.weight)))
  }

  /** Whether this host takes new blocks: it has a store and is under its high-water mark. */
  async takesBlocks (): Promise<boolean> {
    if (this.init.store === undefined) return false
    const stats = await this.init.store.stats()
    this.quota = stats.capacity !== undefined
    this.full = stats.capacity !== undefined && this.isOverHighWater(stats.bytes, stats.capacity)
    return !this.full
  }

  isOverHighWater (bytes: number, capacity: number): boolean {
    return bytes >= capacity * Math.min(1, Math.max(0, this.init.highWater ?? DEFAULT_HIGH_WATER))
  }

  /** What a storing host says of itself in its hello for placement. */
  hello (): Pick<HelloMessage, 'zone' | 'weight'> {
    if (this.init.role !== 'host' || this.init.store === undefined) return {}
    const fields: Pick<HelloMessage, 'zone' | 'weight'> = {}
    if (this.zone !== undefined) fields.zone = this.zone
    if (this.weight !== undefined) fields.weight = this.weight
    return fields
  }

  /**
   * Live storing hosts with their zones and weights. A host that sent no
   * weight counts as the average of those that did; one that refused a block
   * as full within `fullRetry`, or that `distrusted` names (it failed a replica
   * audit), or this node over its high-water mark, is full: it gets no new copies.
   */
  storingHosts (peers: Peer[], distrusted: (peerId: string) => boolean = () => false): StoringHost[] {
    const now = performance.now()
    const hosts: Array<Omit<StoringHost, 'weight'> & { weight: number | undefined }> = peers.filter(isStoringHost)
      .map(peer => ({ peerId: peer.peerId, zone: peer.zone, weight: peer.weight, full: peer.fullUntil > now || distrusted(peer.peerId) }))
    if (this.init.role === 'host' && this.init.store !== undefined) hosts.push({ peerId: this.init.peerId, zone: this.zone, weight: this.weight, full: this.full })
    const known = hosts.filter(h => h.weight !== undefined)
    const average = known.length === 0 ? 1 : known.reduce((sum, h) => sum + h.weight!, 0) / known.length
    return hosts.map(h => {
      const host: StoringHost = { peerId: h.peerId, weight: h.weight ?? average, full: h.full }
      if (h.zone !== undefined) host.zone = h.zone
      return host
    })
  }
}
