/**
 * Reads plaintext ranges of an open file for the service worker. Sequential
 * reads (a download, a playing video) continue one `read()` stream, so its
 * read-ahead keeps working; a jump (a seek) starts a new one. Memory is the
 * read-ahead window plus one chunk, whatever the file size.
 */
import type { StreamableFile } from './page-server.js'

export class RangeReader {
  private iterator: AsyncIterator<Uint8Array> | undefined
  private controller: AbortController | undefined
  private position = -1
  private leftover: Uint8Array = new Uint8Array(0)

  constructor (private readonly file: StreamableFile) {}

  /** Up to `length` bytes at `offset` (fewer only at the end of the file). */
  async read (offset: number, length: number): Promise<Uint8Array> {
    if (offset !== this.position || this.iterator === undefined) this.restart(offset)
    const want = Math.min(length, this.file.size - offset)
    const out = new Uint8Array(Math.max(0, want))
    let filled = 0
    while (filled < want) {
      if (this.leftover.length === 0) {
        const next = await this.iterator!.next()
        if (next.done === true) break
        this.leftover = next.value
      }
      const take = Math.min(want - filled, this.leftover.length)
      out.set(this.leftover.subarray(0, take), filled)
      this.leftover = this.leftover.subarray(take)
      filled += take
    }
    this.position = offset + filled
    return filled === out.length ? out : out.subarray(0, filled)
  }

  close (): void {
    this.controller?.abort()
    void this.iterator?.return?.()
    this.iterator = undefined
  }

  private restart (offset: number): void {
    this.close()
    this.controller = new AbortController()
    this.iterator = this.file.read({ offset, signal: this.controller.signal })[Symbol.asyncIterator]()
    this.position = offset
    this.leftover = new Uint8Array(0)
  }
}
