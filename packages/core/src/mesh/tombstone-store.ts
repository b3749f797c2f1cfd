/*
 * Where a host keeps its verified tombstones across restarts. Core only names
 * the interface; node-host keeps them in the data dir (`<data>/tombstones.json`),
 * unit tests use `MemoryTombstoneStore`. Tabs keep none (only hosts hold tombstones).
 */

/** One verified tombstone as saved. */
export interface SavedTombstone {
  /** The owner tag (SHA-256 of the secret), hex. The file is the host's own, trusted as its identity is. */
  tag: string
  /** The owner secret (32 bytes). */
  secret: Uint8Array
  /** When it last matched a block here (or came), ms since the epoch: it expires TOMBSTONE_RETENTION later. */
  seen: number
}

export interface TombstoneStore {
  /** What was saved last ([] if nothing was). */
  load: () => Promise<SavedTombstone[]>
  /** Replace what is saved, durably: resolves once it would survive a crash. */
  save: (tombstones: SavedTombstone[]) => Promise<void>
}

/** A `TombstoneStore` in memory, for unit tests. */
export class MemoryTombstoneStore implements TombstoneStore {
  saved: SavedTombstone[] = []

  async load (): Promise<SavedTombstone[]> {
    return this.saved.map(t => ({ tag: t.tag, secret: t.secret.slice(), seen: t.seen }))
  }

  async save (tombstones: SavedTombstone[]): Promise<void> {
    this.saved = tombstones.map(t => ({ tag: t.tag, secret: t.secret.slice(), seen: t.seen }))
  }
}
