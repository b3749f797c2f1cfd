import type { BlockId } from '../block/id.js'

/** Announced (peer, block) pairs kept at most. */
export const DEFAULT_HAVE_ENTRIES = 65_536
/** Announcers remembered per block. */
const MAX_HOLDERS = 8

/**
 * Blocks that peers (browser tabs) announced with unsolicited `have`: extra
 * sources for fetching. Bounded; oldest announcements go first.
 */
export class HaveIndex {
  private readonly entries = new Map<string, string[]>()
  private readonly capacity: number

  constructor (capacity = DEFAULT_HAVE_ENTRIES) {
    this.capacity = capacity
  }

  add (peerId: string, cids: BlockId[]): void {
    for (const cid of cids) {
      const key = cid.toString()
      const holders = (this.entries.get(key) ?? []).filter(id => id !== peerId)
      holders.push(peerId)
      if (holders.length > MAX_HOLDERS) holders.shift()
      this.entries.delete(key)
      this.entries.set(key, holders)
      if (this.entries.size > this.capacity) {
        const oldest = this.entries.keys().next().value
        if (oldest !== undefined) this.entries.delete(oldest)
      }
    }
  }

  /** Peers that announced `cid`, most recent last. */
  holders (cid: BlockId): string[] {
    return this.entries.get(cid.toString()) ?? []
  }
}
