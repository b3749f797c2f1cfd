/**
 * A local file as core's pipelines take it: an async iterable of plain
 * `Uint8Array`s. Node's streams yield `Buffer`s, whose methods differ from
 * `Uint8Array`'s where core relies on them (`Buffer#slice` is a view, not a
 * copy; `toString` and equality differ), so each chunk is handed over as a
 * plain view of the same memory: no copy.
 */
import { createReadStream } from 'node:fs'

export interface FileChunksInit {
  /** Bytes per read (the stream's `highWaterMark`). */
  chunkSize: number
  signal?: AbortSignal
}

/** The bytes of `path`, `chunkSize` at a time, as plain `Uint8Array` views. */
export async function * readFileChunks (path: string, init: FileChunksInit): AsyncGenerator<Uint8Array, void, undefined> {
  const stream = createReadStream(path, { highWaterMark: init.chunkSize, ...(init.signal === undefined ? {} : { signal: init.signal }) })
  for await (const chunk of stream as AsyncIterable<Buffer>) yield plainView(chunk)
}

/** A plain `Uint8Array` over the same memory as `bytes` (a `Buffer` or any other view). */
export function plainView (bytes: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(bytes) === Uint8Array.prototype ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}
