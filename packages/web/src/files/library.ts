/**
 * The files this browser added or opened, kept in IndexedDB so a reload
 * still lists them. Entries hold the share link (and so the key): they never
 * leave the browser. Tabs of one browser share the list: every change is
 * broadcast to the others, so all list the same files in the same order
 * (newest first by when the browser first saw each file).
 *
 * A write that fails (a full disk: `StorageFullError` through
 * `asStorageFull`) still changes the list this tab shows, and rejects: the
 * caller tells the user the list will not keep it across a reload. A list
 * that cannot be read at all is kept as `loadFailure`, for the panel to show.
 */
import { del, entries, get, set } from 'idb-keyval'
import type { UseStore } from 'idb-keyval'
import { asStorageFull } from '../store/quota.js'
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
  /** The hosts' replica target when added, if they said. */
  target?: number
  /** When this browser first added or opened it (ms since the epoch). */
  added: number
  origin: 'added' | 'opened'
  /** Peer id of the tab that added it (tabs keep their identity across reloads). */
  addedBy?: string
  /** Its owner secret (base64url), for a file added in this browser: it can delete the file from the mesh. */
  owner?: string
  /** When it expires (ms since the epoch), as known when added or opened. */
  expires?: number
}

type Change = { t: 'put', entry: FileEntry } | { t: 'remove', root: string }

const files = (): UseStore => yieldingStore('cairn-files', 'files')
const CHANNEL = 'cairn-files'
const openChannel = (): BroadcastChannel | null => typeof BroadcastChannel === 'function' ? new BroadcastChannel(CHANNEL) : null
const WHAT = 'the "Your files" list'

/** `entry` merged into what is known of the same file: an added file stays added, first seen stays first. */
function merge (existing: FileEntry | undefined, entry: FileEntry): FileEntry {
  if (existing === undefined) return entry
  const added = Math.min(existing.added, entry.added)
  const expires = entry.expires ?? existing.expires
  const kept = expires === undefined ? {} : { expires }
  if (existing.origin === 'added' && entry.origin !== 'added') return { ...existing, added, ...kept }
  const owner = entry.owner ?? existing.owner
  return { ...entry, added, ...kept, ...(owner === undefined ? {} : { owner }) }
}

export class Library extends EventTarget {
  private readonly store: UseStore
  private readonly entries = new Map<string, FileEntry>()
  private readonly channel: BroadcastChannel | null
  /** Why `load` could not read the saved list (the app runs on; the files panel says so). */
  loadFailure: unknown = undefined

  /** `store` and `channel` (null: none) for tests; a tab uses IndexedDB and its BroadcastChannel. */
  constructor (store: UseStore = files(), channel: BroadcastChannel | null = openChannel()) {
    super()
    this.store = store
    this.channel = channel
    this.channel?.addEventListener('message', event => { this.apply(event.data as Change) })
  }

  async load (): Promise<void> {
    const all = await entries<string, FileEntry>(this.store).catch((err: unknown) => {
      this.loadFailure = err
      return []
    })
    for (const [root, entry] of all) this.entries.set(root, merge(this.entries.get(root), entry))
    this.changed()
  }

  list (): FileEntry[] {
    return [...this.entries.values()].sort((a, b) => b.added - a.added || (a.root < b.root ? -1 : a.root > b.root ? 1 : 0))
  }

  /** Add or update `entry`. Rejects if IndexedDB refused it (this tab lists it all the same). */
  async put (entry: FileEntry): Promise<void> {
    // Another tab may have stored it since this one loaded.
    const known = this.entries.get(entry.root) ?? await get<FileEntry>(entry.root, this.store).catch(() => undefined)
    const merged = merge(known, entry)
    this.entries.set(entry.root, merged)
    this.changed()
    this.channel?.postMessage({ t: 'put', entry: merged } satisfies Change)
    await set(entry.root, merged, this.store).catch((err: unknown) => { throw asStorageFull(err, WHAT) })
  }

  /** Drop `root` from the list. Rejects if IndexedDB refused (it would come back after a reload). */
  async remove (root: string): Promise<void> {
    this.entries.delete(root)
    this.changed()
    this.channel?.postMessage({ t: 'remove', root } satisfies Change)
    await del(root, this.store).catch((err: unknown) => { throw asStorageFull(err, WHAT) })
  }

  /** A change another tab made. */
  private apply (change: Change): void {
    if (change?.t === 'put' && typeof change.entry?.root === 'string') {
      this.entries.set(change.entry.root, merge(this.entries.get(change.entry.root), change.entry))
    } else if (change?.t === 'remove' && typeof change.root === 'string') {
      this.entries.delete(change.root)
    } else {
      return
    }
    this.changed()
  }

  private changed (): void {
    this.dispatchEvent(new Event('change'))
  }
}
