/**
 * The block sink of a resumable `put`: core's `resumingSink` over the put
 * journal (see put-journal.ts), failing with `FileChangedError` when the
 * input is not what the interrupted put sealed.
 */
import { resumingSink as coreResumingSink } from '@cairn/core'
import type { BlockSink } from '@cairn/core'
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
  return coreResumingSink(inner, journal, {
    held: init.held,
    onSkipped: init.onSkipped,
    changed: () => new FileChangedError(`${init.file} changed since the interrupted put (same size and time, other bytes); run put again to start afresh`)
  })
}
