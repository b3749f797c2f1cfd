/**
 * The files this browser added or opened, kept in IndexedDB so a reload
 * still lists them. Entries hold the share link (and so the key): they never
 * leave the browser.
 */
import { del, entries, set } from 'idb-keyval'
import type { UseStore } from 'idb-keyval'
import { yieldingStore } from '../store/yielding-store.js'

export interface FileEntry {
  root: string
  name: string
  size: number
  type: string
  /** Plain link `<root>.<key>`. */
  link: string
  /** Web form, with this mesh's join token. */
  webLink: string
  /** Durable copies on hosts when added (0: only in this browser). */
  replicas: number
  added: number
  origin: 'added' | 'opened'
}

const files = (): UseStore => yieldingStore('cairn-files', 'files')

export class Library extends EventTarget {
  private readonly store = files()
  private readonly entries = new Map<string, FileEntry>()

  async load (): Promise<void> {
    const all = await entries<string, FileEntry>(this.store).catch(() => [])
    for (const [root, entry] of all) this.entries.set(root, entry)
    this.changed()
  }

  list (): FileEntry[] {
    return [...this.entries.values()].sort((a, b) => b.added - a.added)
  }

  async put (entry: FileEntry): Promise<void> {
    const existing = this.entries.get(entry.root)
    // An added file stays 'added' when it is opened again.
    const merged = existing?.origin === 'added' ? { ...entry, origin: 'added' as const, replicas: existing.replicas } : entry
    this.entries.set(entry.root, merged)
    this.changed()
    await set(entry.root, merged, this.store).catch(() => {})
  }

  async remove (root: string): Promise<void> {
    this.entries.delete(root)
    this.changed()
    await del(root, this.store).catch(() => {})
  }

  private changed (): void {
    this.dispatchEvent(new Event('change'))
  }
}
