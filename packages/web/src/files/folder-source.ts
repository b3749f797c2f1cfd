/**
 * What the browser hands over as a folder, as core's `addFolder` takes it:
 * a picked directory (`<input webkitdirectory>`: files with their
 * `webkitRelativePath`; the browser reports no empty directories), dropped
 * items (`webkitGetAsEntry()`: directories read entry by entry, empty ones
 * kept), or several files bundled into one share. Names are checked by core.
 */
import type { FolderDirInput, FolderFileInput, FolderInput } from '@cairn/core'
import { iterateStream } from '../streams.js'

/** The folder name of a bundle of several files or dropped items. */
export const BUNDLE_NAME = 'bundle'

export function fileInput (file: File, name = file.name): FolderFileInput {
  return { kind: 'file', name, type: file.type, mtime: file.lastModified, size: file.size, read: () => iterateStream(file.stream()) }
}

interface Node { dirs: Map<string, Node>, files: File[] }

/** A picked directory: every file's `webkitRelativePath` is `root/…/name`. */
export function treeFromPicked (files: readonly File[]): FolderDirInput {
  const top: Node = { dirs: new Map(), files: [] }
  let rootName = BUNDLE_NAME
  for (const file of files) {
    const parts = file.webkitRelativePath.split('/')
    rootName = parts[0] ?? rootName
    let node = top
    for (const part of parts.slice(1, -1)) {
      let next = node.dirs.get(part)
      if (next === undefined) {
        next = { dirs: new Map(), files: [] }
        node.dirs.set(part, next)
      }
      node = next
    }
    node.files.push(file)
  }
  return dirOf(rootName, top)
}

function dirOf (name: string, node: Node): FolderDirInput {
  return {
    kind: 'dir',
    name,
    entries: () => [
      ...[...node.dirs].map(([child, sub]) => dirOf(child, sub)),
      ...node.files.map(file => fileInput(file))
    ]
  }
}

/** Several files, or dropped entries, as one share named `bundle` (one dropped directory is that directory). */
export function bundleOf (items: readonly FolderInput[]): FolderDirInput {
  const only = items[0]
  if (items.length === 1 && only?.kind === 'dir') return only
  return { kind: 'dir', name: BUNDLE_NAME, mtime: Date.now(), entries: () => items }
}

/** A dropped entry (`DataTransferItem.webkitGetAsEntry()`) as a folder input; a file's `File` (a handle, not its bytes) is fetched for its type and time. */
export async function entryInput (entry: FileSystemEntry): Promise<FolderInput> {
  if (entry.isDirectory) {
    const dir = entry as FileSystemDirectoryEntry
    return { kind: 'dir', name: dir.name, entries: async () => await Promise.all((await readAll(dir)).map(entryInput)) }
  }
  const file = await new Promise<File>((resolve, reject) => { (entry as FileSystemFileEntry).file(resolve, reject) })
  return fileInput(file, entry.name)
}

/** Every entry of a dropped directory (`readEntries` answers in batches until an empty one). */
async function readAll (dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader()
  const all: FileSystemEntry[] = []
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => { reader.readEntries(resolve, reject) })
    if (batch.length === 0) return all
    all.push(...batch)
  }
}
