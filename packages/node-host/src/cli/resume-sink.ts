/**
 * The block sink of a resumable `put`: every block goes through the journal
 * (write-ahead) before it is sent; on a resumed put, block n must be the very
 * block n of the earlier attempt (else the file changed: stop before sending
 * it), and content blocks the host already holds are not sent again.
 * Manifest blocks (a few KiB per ~24 GiB) are always sent: the root's put
 * reports the copies reached.
 */
import type { BlockId, BlockSink } from '@cairn/core'
import { LocalFileError } from '../config/index.js'
import type { PutJournal } from './put-journal.js'

/** The input is not what the interrupted put sealed: its journal must go. */
export class FileChangedError extends LocalFileError {}

export interface ResumingSinkInit {
  /** Ids (as strings) of blocks the target host holds. */
  held: ReadonlySet<string>
  /** Plaintext bytes of a content block that was not sent again. */
  onSkipped: (plaintext: number) => void
  /** For the error message. */
  file: string
}

export function resumingSink (inner: BlockSink, journal: PutJournal, init: ResumingSinkInit): BlockSink {
  let next = 0
  return {
    async put (id: BlockId, bytes: Uint8Array, options = {}) {
      const seq = next++
      const earlier = journal.previous[seq]
      if (earlier === undefined) {
        await journal.record(id)
      } else if (!earlier.equals(id)) {
        throw new FileChangedError(`${init.file} changed since the interrupted put (same size and time, other bytes); run put again to start afresh`)
      } else if (options.plaintext !== undefined && init.held.has(id.toString())) {
        init.onSkipped(options.plaintext)
        return
      }
      return await inner.put(id, bytes, options)
    }
  }
}
