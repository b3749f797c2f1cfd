/**
 * Adding a file from this tab: encrypt it here, keep its blocks in this tab's
 * store, and put each on the mesh for R replicas on hosts. Browser storage
 * being full is an error the user sees (`StorageFullError`). If no host can
 * take the blocks (e.g. only `--no-store` hosts are up), the file is still
 * added and shareable from this tab, with 0 replicas.
 *
 * An add interrupted by a reload resumes when the same file (name, size,
 * lastModified) is added again: its journal (add-journal.ts) gives back the
 * key and content salt, so the blocks and the link come out the same, and
 * content blocks the host already holds are not sent again.
 */
import { addFile, formatOwnerSecret, formatWebLink, InputChangedError, ownerTag, ReplicationError, resumingSink } from '@cairn/core'
import type { BlockId, BlockSink } from '@cairn/core'
import type { Tab } from '../mesh/tab.js'
import { iterateStream } from '../streams.js'
import { TabAddJournal } from './add-journal.js'
import type { FileEntry } from './library.js'

export interface AddProgress {
  /** Plaintext bytes read and encrypted so far. */
  bytes: number
  total: number
  /** Plaintext bytes an interrupted add already put on the host (not sent again). */
  resumed: number
}

export interface AddFileInit {
  /** When hosts stop serving the file and reclaim it (ms since the epoch); absent: never. */
  expires?: number
  onProgress?: (progress: AddProgress) => void
  signal?: AbortSignal
  joinToken: string
  origin: string
}

/**
 * The mesh's sink (each block kept in this tab's store, then put on hosts;
 * a full store fails the add), where a failed replication leaves copies 0.
 */
export function tabSink (tab: Tab, lifecycle: { owner: Uint8Array, expires?: number }): BlockSink {
  const sink = tab.mesh.blockSink(lifecycle)
  return {
    async put (id, bytes, options) {
      try {
        return await sink.put(id, bytes, options)
      } catch (err) {
        if (err instanceof ReplicationError) return { copies: err.copies }
        throw err
      }
    }
  }
}

/** Ids (as strings) of the journaled blocks the host holds; none if it cannot say. */
async function heldAtHost (tab: Tab, journal: TabAddJournal, signal: AbortSignal | undefined): Promise<Set<string>> {
  const host = tab.hostPeerId
  if (journal.previous.length === 0 || host === undefined) return new Set()
  try {
    const answers = await tab.mesh.heldBy(host, journal.previous, signal === undefined ? {} : { signal })
    return new Set(journal.previous.filter((_, i) => answers[i] === true).map(id => id.toString()))
  } catch (err) {
    if (signal?.aborted === true) throw err
    return new Set() // the host went away: send everything again, as a fresh add would
  }
}

export async function addBrowserFile (tab: Tab, file: File, init: AddFileInit): Promise<FileEntry> {
  const total = file.size
  const journal = await TabAddJournal.open(file)
  let resumed = 0
  let bytes = 0
  const report = (): void => { init.onProgress?.({ bytes, total, resumed }) }
  const held = await heldAtHost(tab, journal, init.signal)
  const lifecycle = { owner: await ownerTag(journal.owner), ...(init.expires === undefined ? {} : { expires: init.expires }) }
  const sink = resumingSink(tabSink(tab, lifecycle), journal, {
    held,
    onSkipped: n => { resumed += n; report() },
    changed: () => new InputChangedError(`${file.name} changed since its add was interrupted (same size and time, other bytes)`)
  })
  let result
  try {
    result = await addFile(iterateStream(file.stream()), {
      name: file.name === '' ? 'unnamed' : file.name,
      type: file.type,
      mtime: file.lastModified
    }, sink, {
      onProgress: n => { bytes = n; report() },
      resume: { key: journal.key, salt: journal.salt },
      ...(init.signal === undefined ? {} : { signal: init.signal })
    })
  } catch (err) {
    if (err instanceof InputChangedError) await journal.remove()
    throw err
  }
  await journal.remove()
  bytes = total
  report()
  return addedEntry(result, file.name, file.type, journal.owner, init)
}

/** The "Your files" entry of a file or folder this tab just added, with owner secret `owner`. */
export function addedEntry (
  result: { root: BlockId, size: number, link: string, replicas?: number }, name: string, type: string, owner: Uint8Array,
  init: Pick<AddFileInit, 'origin' | 'joinToken' | 'expires'>
): FileEntry {
  return {
    root: result.root.toString(),
    name,
    size: result.size,
    type,
    link: result.link,
    webLink: formatWebLink(init.origin, init.joinToken, result.link),
    replicas: result.replicas ?? 0,
    added: Date.now(),
    origin: 'added',
    owner: formatOwnerSecret(owner),
    ...(init.expires === undefined ? {} : { expires: init.expires })
  }
}
