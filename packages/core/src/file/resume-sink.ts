/**
 * The block sink of a resumable add (`addFile(…, { resume })`): every block
 * is recorded in a write-ahead journal before it is sent; on a resumed add,
 * block n must be the very block n of the earlier attempt (else the input
 * changed: stop before sending it, since sealing other plaintext under the
 * same key and salt reuses AES-GCM nonces), and content blocks the target
 * already holds are not sent again. Manifest blocks (a few KiB per ~24 GiB)
 * are always sent: the root's put reports the copies reached. The journal's
 * storage is the platform's (a file for the CLI, IndexedDB in a tab).
 */
import type { BlockId } from '../block/id.js'
import type { BlockSink } from './put-queue.js'

export interface AddJournal {
  /** Ids of the blocks the interrupted attempt handed over, in put order. */
  readonly previous: readonly BlockId[]
  /** Record `id` durably before its block is sent. */
  record: (id: BlockId) => Promise<void>
}

export interface ResumingSinkInit {
  /** Ids (as strings) of blocks the target already holds. */
  held: ReadonlySet<string>
  /** Plaintext bytes of a content block that was not sent again. */
  onSkipped: (plaintext: number) => void
  /** The error for an input that is not what the interrupted add sealed. */
  changed: () => Error
}

export function resumingSink (inner: BlockSink, journal: AddJournal, init: ResumingSinkInit): BlockSink {
  let next = 0
  return {
    async put (id: BlockId, bytes: Uint8Array, options = {}) {
      const seq = next++
      const earlier = journal.previous[seq]
      if (earlier === undefined) {
        await journal.record(id)
      } else if (!earlier.equals(id)) {
        throw init.changed()
      } else if (options.plaintext !== undefined && init.held.has(id.toString())) {
        init.onSkipped(options.plaintext)
        return
      }
      return await inner.put(id, bytes, options)
    }
  }
}
