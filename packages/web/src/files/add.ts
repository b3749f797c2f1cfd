/**
 * Adding a file from this tab: encrypt it here, keep its blocks in this tab's
 * store, and put each on the mesh for R replicas on hosts. Browser storage
 * being full is an error the user sees (`StorageFullError`). If no host can
 * take the blocks (e.g. only `--no-store` hosts are up), the file is still
 * added and shareable from this tab, with 0 replicas.
 */
import { addFile, formatWebLink, ReplicationError } from '@cairn/core'
import type { BlockSink } from '@cairn/core'
import type { Tab } from '../mesh/tab.js'
import { iterateStream } from '../streams.js'
import type { FileEntry } from './library.js'

export interface AddProgress {
  /** Plaintext bytes read and encrypted so far. */
  bytes: number
  total: number
}

export interface AddFileInit {
  onProgress?: (progress: AddProgress) => void
  signal?: AbortSignal
  joinToken: string
  origin: string
}

/**
 * The mesh's sink (each block kept in this tab's store, then put on hosts;
 * a full store fails the add), where a failed replication leaves copies 0.
 */
function tabSink (tab: Tab): BlockSink {
  const sink = tab.mesh.blockSink()
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

export async function addBrowserFile (tab: Tab, file: File, init: AddFileInit): Promise<FileEntry> {
  const total = file.size
  const result = await addFile(iterateStream(file.stream()), {
    name: file.name === '' ? 'unnamed' : file.name,
    type: file.type,
    mtime: file.lastModified
  }, tabSink(tab), {
    onProgress: bytes => { init.onProgress?.({ bytes, total }) },
    ...(init.signal === undefined ? {} : { signal: init.signal })
  })
  init.onProgress?.({ bytes: total, total })
  return {
    root: result.root.toString(),
    name: file.name,
    size: result.size,
    type: file.type,
    link: result.link,
    webLink: formatWebLink(init.origin, init.joinToken, result.link),
    replicas: result.replicas ?? 0,
    added: Date.now(),
    origin: 'added'
  }
}
