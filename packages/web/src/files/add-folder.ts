/**
 * Adding a folder (or several files as one share) from this tab: core's
 * `addFolder` over the same sink as a single file (blocks kept in this tab's
 * store, put on hosts; no storing host leaves 0 replicas). Files are read one
 * stream at a time each, a few at once, so memory stays at a few blocks per
 * file in flight. (Unlike a single file, an interrupted folder add starts afresh.)
 * One owner secret and expiry cover the whole folder: every block carries them,
 * so Delete and expiry take the folder's files with it.
 */
import { addFolder, FOLDER_TYPE, newOwner, type FolderDirInput } from '@cairn/core'
import type { Tab } from '../mesh/tab.js'
import { addedEntry, tabSink, type AddFileInit } from './add.js'
import type { FileEntry } from './library.js'

/** Files added at once from a tab. */
const FILES_AT_ONCE = 4

export interface FolderProgress {
  /** Files added so far. */
  files: number
  /** Their plaintext bytes. */
  bytes: number
}

export interface AddFolderInit extends Omit<AddFileInit, 'onProgress'> {
  onProgress?: (progress: FolderProgress) => void
}

export async function addBrowserFolder (tab: Tab, root: FolderDirInput, init: AddFolderInit): Promise<FileEntry> {
  const done: FolderProgress = { files: 0, bytes: 0 }
  const owner = await newOwner()
  const lifecycle = { owner: owner.tag, ...(init.expires === undefined ? {} : { expires: init.expires }) }
  const result = await addFolder(root, tabSink(tab, lifecycle), {
    concurrency: FILES_AT_ONCE,
    onFile: (_path, added) => {
      done.files++
      done.bytes += added.size
      init.onProgress?.({ ...done })
    },
    ...(init.signal === undefined ? {} : { signal: init.signal })
  })
  return addedEntry(result, root.name, FOLDER_TYPE, owner.secret, init)
}
