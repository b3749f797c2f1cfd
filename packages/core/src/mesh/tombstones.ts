import { toHex } from './bytes.js'

/*
 * Tombstones: owner secrets of removed files. A host drops (and refuses to
 * serve) every block whose record's owner tag is the SHA-256 of one. A
 * tombstone is *verified* once this host matched it to a block it held (the
 * root at removal, or any block in a GC pass); verified ones are kept and
 * handed to every host that connects, so a host that was down during the
 * removal drops its copies when it comes back. Unverified ones (from a host
 * that forwarded a removal, or from gossip) are kept until a GC pass that
 * started after they came has looked at every block: dropped then if they
 * matched nothing, so a made-up secret costs one pass and is forgotten.
 */

/** Tombstones kept at most (oldest forgotten first). */
export const MAX_KEPT_TOMBSTONES = 65_536
/** Ids of blocks dropped as removed, remembered to tell readers why (oldest forgotten first). */
export const MAX_REMEMBERED_REMOVALS = 65_536

interface Entry {
  secret: Uint8Array
  verified: boolean
  /** The GC generation it came in: settled by the first pass of a later one. */
  generation: number
}

export class Tombstones {
  private readonly byTag = new Map<string, Entry>()
  private generation = 0
  private readonly matched = new Set<string>()
  private readonly removed = new Set<string>()

  /** GC dropped block `cid` as part of a removed file. */
  dropped (cid: string): void {
    this.removed.add(cid)
    if (this.removed.size > MAX_REMEMBERED_REMOVALS) this.removed.delete(this.removed.values().next().value!)
  }

  /** Block `cid` was dropped here because its file was removed. */
  wasDropped (cid: string): boolean {
    return this.removed.has(cid)
  }

  /** Add a tombstone for `secret` (whose SHA-256 is `tag`); false if it was known already. */
  add (secret: Uint8Array, tag: Uint8Array, verified: boolean): boolean {
    const key = toHex(tag)
    const known = this.byTag.get(key)
    if (known !== undefined) {
      known.verified ||= verified
      return false
    }
    this.byTag.set(key, { secret: secret.slice(), verified, generation: this.generation })
    while (this.byTag.size > MAX_KEPT_TOMBSTONES) this.byTag.delete(this.byTag.keys().next().value!)
    return true
  }

  /** A block with owner tag `owner` belongs to a removed file (and counts as a match). */
  matches (owner: Uint8Array | undefined): boolean {
    if (owner === undefined || this.byTag.size === 0) return false
    const key = toHex(owner)
    if (!this.byTag.has(key)) return false
    this.matched.add(key)
    return true
  }

  /** Verified secrets, to hand to another host. */
  verified (): Uint8Array[] {
    return [...this.byTag.values()].filter(e => e.verified).map(e => e.secret)
  }

  get size (): number {
    return this.byTag.size
  }

  /** A GC pass over every block starts. Returns its generation. */
  passStarted (): number {
    this.matched.clear()
    return ++this.generation
  }

  /** A pass of `generation` looked at every block: keep what matched, forget unverified ones that did not. */
  passEnded (generation: number): void {
    for (const [key, entry] of this.byTag) {
      if (this.matched.has(key)) entry.verified = true
      else if (!entry.verified && entry.generation < generation) this.byTag.delete(key)
    }
  }
}
