/**
 * Errors of the host and CLI layer (configuration and user input). They extend
 * core's `CairnError`, so callers match on `code` like everywhere else.
 */
import { CairnError } from '@cairn/core'

/** A flag, argument or address the user gave is not valid. */
export class UsageError extends CairnError {
  override readonly code = 'ERR_USAGE'
}

/** A client found no mesh to talk to: no `--mesh`, and no local host running. */
export class NoHostError extends CairnError {
  override readonly code = 'ERR_NO_HOST'
}

/** The mesh address did not answer (refused, timed out, not a Cairn host). */
export class UnreachableError extends CairnError {
  override readonly code = 'ERR_UNREACHABLE'
}

/** A local file the user named cannot be read or written. */
export class LocalFileError extends CairnError {
  override readonly code = 'ERR_LOCAL_FILE'
}

/** Another `cairn get` is writing to the same output path right now. */
export class OutputBusyError extends CairnError {
  override readonly code = 'ERR_OUTPUT_BUSY'
}
