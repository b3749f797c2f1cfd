/**
 * A folder as one ZIP download, streamed: `client-zip` writes each entry
 * stored (no compression: the files are mostly compressed already, and a
 * stored ZIP's length is known before it is made), reading each file's
 * plaintext from the mesh as the ZIP reaches it. Nothing is buffered whole:
 * the bytes in flight are one file's read-ahead. To know the length first
 * (the download's `Content-Length`, and the service worker's ranges), the
 * tree is walked once beforehand and its entries' names, sizes and links are
 * kept (no contents). Every name and size comes from a validated folder
 * node, and each file's own manifest must agree with its size.
 */
import { makeZip, predictLength } from 'client-zip'
import { ManifestError, openFile, walkFolder, type BlockId, type BlockSource, type ReadInit } from '@cairn/core'
import type { StreamableFile } from '../download/page-server.js'
import { iterateStream } from '../streams.js'

interface ZipEntry {
  /** Path in the ZIP (`a/b.txt`; a directory ends with `/`). */
  name: string
  lastModified: Date
  file?: { root: BlockId, key: Uint8Array, size: number }
}

export const ZIP_TYPE = 'application/zip'

/** The folder (or subfolder) `dir` as a ZIP named `<name>.zip`. */
export async function folderZip (
  dir: { root: BlockId, key: Uint8Array }, name: string, source: BlockSource, init: { signal?: AbortSignal } = {}
): Promise<StreamableFile> {
  const entries: ZipEntry[] = []
  for await (const { path, entry } of walkFolder(dir, source, init)) {
    const lastModified = new Date(entry.mtime)
    entries.push(entry.kind === 'dir'
      ? { name: `${path.join('/')}/`, lastModified }
      : { name: path.join('/'), lastModified, file: { root: entry.root, key: entry.key, size: entry.size } })
  }
  const size = Number(predictLength(entries.map(e => e.file === undefined ? { name: e.name, lastModified: e.lastModified } : { name: e.name, lastModified: e.lastModified, size: e.file.size })))
  return {
    name: `${name}.zip`,
    size,
    type: ZIP_TYPE,
    read: (readInit = {}) => readZip(entries, source, readInit)
  }
}

/** The ZIP's bytes from `offset` on (a later offset is made again from the start and skipped to: downloads read in order). */
async function * readZip (entries: readonly ZipEntry[], source: BlockSource, init: ReadInit): AsyncGenerator<Uint8Array> {
  const signal = init.signal
  async function * inputs (): AsyncGenerator<{ name: string, lastModified: Date } | { name: string, lastModified: Date, size: number, input: AsyncIterable<Uint8Array> }> {
    for (const entry of entries) {
      if (entry.file === undefined) {
        yield { name: entry.name, lastModified: entry.lastModified }
        continue
      }
      const expected = entry.file.size
      const file = await openFile(entry.file, source, signal === undefined ? {} : { signal })
      if (file.size !== expected) throw new ManifestError(`folder: "${entry.name}" is listed as ${expected} bytes, its manifest says ${file.size}`)
      yield { name: entry.name, lastModified: entry.lastModified, size: expected, input: file.read(signal === undefined ? {} : { signal }) }
    }
  }
  let skip = init.offset ?? 0
  for await (const chunk of iterateStream(makeZip(inputs()))) {
    if (skip >= chunk.length) {
      skip -= chunk.length
      continue
    }
    yield skip === 0 ? chunk : chunk.subarray(skip)
    skip = 0
  }
}
