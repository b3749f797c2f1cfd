import { toHex } from './bytes.js'

export const DEFAULT_NONCE_MEMORY = 4096

/**
 * Hello nonces seen recently. A hello that repeats one (a replay) or echoes
 * our own nonce (a reflection) is refused.
 */
export class NonceCache {
  private readonly seen = new Set<string>()
  private readonly capacity: number

  constructor (capacity = DEFAULT_NONCE_MEMORY) {
    this.capacity = capacity
  }

  /** Record `nonce`; false if it is `own` or was seen before. */
  admit (nonce: Uint8Array, own: Uint8Array): boolean {
    const key = toHex(nonce)
    if (key === toHex(own) || this.seen.has(key)) return false
    this.seen.add(key)
    if (this.seen.size > this.capacity) {
      const oldest = this.seen.values().next().value
      if (oldest !== undefined) this.seen.delete(oldest)
    }
    return true
  }
}
