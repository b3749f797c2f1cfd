/**
 * Watching a file being read: a view of an `OpenedFile` whose reads report
 * how far they got, so a download the service worker streams to the
 * browser's download manager also shows its progress in the page. The
 * callback gets plain numbers (nothing allocated per chunk).
 */
import type { ReadInit } from '@cairn/core'
import type { StreamableFile } from '../download/page-server.js'

export type ReadState = 'running' | 'done' | 'stopped' | 'error'

/** `position`: plaintext bytes read so far, from the start of the file. */
export type OnReadProgress = (position: number, state: ReadState) => void

export function watchReads<F extends StreamableFile> (file: F, onProgress: OnReadProgress): F {
  const size = file.size
  async function * read (init: ReadInit = {}): AsyncGenerator<Uint8Array> {
    let position = init.offset ?? 0
    let failed = false
    onProgress(position, 'running')
    try {
      for await (const chunk of file.read(init)) {
        position += chunk.length
        onProgress(position, 'running')
        yield chunk
      }
    } catch (err) {
      failed = true
      onProgress(position, 'error')
      throw err
    } finally {
      // A reader stops early when the download is cancelled (or the worker goes away).
      if (!failed) onProgress(position, position >= size ? 'done' : 'stopped')
    }
  }
  return { ...file, read }
}
