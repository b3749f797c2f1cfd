import { toHex } from './bytes.js'
import type { SavedTombstone, TombstoneStore } from './tombstone-store.js'

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
 *
 * Verified ones are saved (a `TombstoneStore`; the data dir on node hosts) so
 * a restart keeps them. A verified tombstone is forgotten TOMBSTONE_RETENTION
 * after it last matched a block here, or when more than MAX_KEPT_TOMBSTONES
 * are kept (oldest first): a host down longer than that keeps its copies.
 */

/** Tombstones kept at most (oldest forgotten first). */
export const MAX_KEPT_TOMBSTONES = 65_536
/** A verified tombstone is kept this long after it last matched a block here (30 days), ms. */
export const TOMBSTONE_RETENTION = 30 * 24 * 60 * 60 * 1000
/** Ids of blocks dropped as removed, remembered to tell readers why (oldest forgotten first). */
export const MAX_REMEMBERED_REMOVALS = 65_536

interface Entry {
  secret: Uint8Array
  verified: boolean
  /** The GC generation it came in: settled by the first pass of a later one. */
  generation: number
  /** When it last matched a block here (or came), ms since the epoch. */
  seen: number
}

export class Tombstones {
  private readonly byTag = new Map<string, Entry>()
  private generation = 0
  private readonly matched = new Set<string>()
  private readonly removed = new Set<string>()
  private readonly store: TombstoneStore | undefined
  private readonly now: () => number
  /** Verified tombstones changed since the last save. */
  private dirty = false
  private saving: Promise<void> = Promise.resolve()

  constructor (store?: TombstoneStore, now: () => number = Date.now) {
    this.store = store
    this.now = now
  }

  /** Take in what the store saved (expired ones dropped); call once, before use. */
  async load (): Promise<void> {
    if (this.store === undefined) return
    const oldest = this.now() - TOMBSTONE_RETENTION
    const saved = (await this.store.load()).filter(t => t.seen >= oldest).sort((x, y) => x.seen - y.seen)
    for (const t of saved.slice(-MAX_KEPT_TOMBSTONES)) this.byTag.set(t.tag, { secret: t.secret.slice(), verified: true, generation: 0, seen: t.seen })
  }

  /** Save the verified tombstones if they changed; saves run one after another. Resolves once saved. */
  async save (): Promise<void> {
    const store = this.store
    if (store === undefined) return
    this.saving = this.saving.catch(() => {}).then(async () => {
      if (!this.dirty) return
      this.dirty = false
      const list: SavedTombstone[] = []
      for (const [tag, e] of this.byTag) if (e.verified) list.push({ tag, secret: e.secret, seen: e.seen })
      try {
        await store.save(list)
      } catch (err) {
        this.dirty = true
        throw err
      }
    })
    await this.saving
  }

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
      if (verified && !known.verified) this.dirty = known.verified = true
      return false
    }
    this.byTag.set(key, { secret: secret.slice(), verified, generation: this.generation, seen: this.now() })
    if (verified) this.dirty = true
    while (this.byTag.size > MAX_KEPT_TOMBSTONES) {
      const [oldest, entry] = this.byTag.entries().next().value!
      this.dirty ||= entry.verified
      this.byTag.delete(oldest)
    }
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
    const now = this.now()
    for (const [key, entry] of this.byTag) {
      if (this.matched.has(key)) {
        entry.verified = true
        entry.seen = now
        this.dirty = true
      } else if (entry.verified ? now - entry.seen > TOMBSTONE_RETENTION : entry.generation < generation) {
        this.dirty ||= entry.verified
        this.byTag.delete(key)
      }
    }
  }
}
