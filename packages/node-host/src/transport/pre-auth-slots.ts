/**
 * Bounds on unauthenticated mesh sockets (from the upgrade request until the
 * handshake has verified the peer, or the socket closed): at most `total`
 * (256) at once on a host, and `perAddress` (64) from one address (IPv4, or
 * IPv6 /64). When the host is full, a newcomer evicts the oldest pending
 * socket of the address holding the most, if that address holds at least two
 * more than the newcomer's: a flood from a few addresses cannot lock out
 * others. Otherwise the newcomer is refused.
 */

export const DEFAULT_MAX_PRE_AUTH_SOCKETS = 256
export const DEFAULT_MAX_PRE_AUTH_PER_ADDRESS = 64

export interface PreAuthSlotsInit {
  total?: number
  perAddress?: number
}

export interface PreAuthSlot {
  readonly key: string
  /** Free the slot (authenticated or closed); idempotent. */
  release (): void
  /** How to drop this socket if it is evicted. */
  onEvict (close: () => void): void
}

export type Claim =
  | { slot: PreAuthSlot, evicted?: string }
  | { refused: 'address-full' | 'host-full' }

class Slot implements PreAuthSlot {
  private close: () => void = () => {}
  private released = false

  constructor (readonly key: string, private readonly owner: PreAuthSlots) {}

  release (): void {
    if (this.released) return
    this.released = true
    this.owner.remove(this)
  }

  onEvict (close: () => void): void {
    this.close = close
  }

  evict (): void {
    this.release()
    this.close()
  }
}

export class PreAuthSlots {
  readonly total: number
  readonly perAddress: number
  /** Pending sockets by address key, oldest first. */
  private readonly byAddress = new Map<string, Set<Slot>>()
  private count = 0

  constructor (init: PreAuthSlotsInit = {}) {
    this.total = init.total ?? DEFAULT_MAX_PRE_AUTH_SOCKETS
    this.perAddress = init.perAddress ?? DEFAULT_MAX_PRE_AUTH_PER_ADDRESS
  }

  /** Unauthenticated sockets now. */
  get size (): number {
    return this.count
  }

  claim (key: string): Claim {
    const mine = this.byAddress.get(key)?.size ?? 0
    if (mine >= this.perAddress) return { refused: 'address-full' }
    let evicted: string | undefined
    if (this.count >= this.total) {
      const [biggest, slots] = this.largest()
      // Only for a newcomer from an address holding at least two fewer: attackers of equal
      // weight are refused (cheap) rather than churning through each other's sockets.
      if (slots === undefined || slots.size <= mine + 1) return { refused: 'host-full' }
      slots.values().next().value!.evict()
      evicted = biggest
    }
    const slot = new Slot(key, this)
    const slots = this.byAddress.get(key) ?? new Set<Slot>()
    slots.add(slot)
    this.byAddress.set(key, slots)
    this.count++
    return evicted === undefined ? { slot } : { slot, evicted }
  }

  /** @internal by `Slot.release` */
  remove (slot: Slot): void {
    const slots = this.byAddress.get(slot.key)
    if (slots?.delete(slot) !== true) return
    this.count--
    if (slots.size === 0) this.byAddress.delete(slot.key)
  }

  private largest (): [string | undefined, Set<Slot> | undefined] {
    let best: [string | undefined, Set<Slot> | undefined] = [undefined, undefined]
    for (const entry of this.byAddress) if (best[1] === undefined || entry[1].size > best[1].size) best = entry
    return best
  }
}
