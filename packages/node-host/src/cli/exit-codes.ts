/**
 * Exit codes of `cairn`, and the one-line reason printed for each failure.
 * Expected failures never print a stack trace; set CAIRN_DEBUG=1 to see one.
 */
import { CairnError } from '@cairn/core'

export const EXIT = {
  OK: 0,
  /** Anything unexpected. */
  FAILURE: 1,
  /** Bad flags or arguments, including a malformed link or size. */
  USAGE: 2,
  /** No mesh to talk to: the host did not answer, its TLS certificate failed verification, or no local host runs. */
  UNREACHABLE: 3,
  /** The mesh refused us: wrong join token or failed handshake; `rm` without the file's owner secret. */
  REFUSED: 4,
  /** The mesh does not have (or cannot serve) the file's blocks. */
  UNAVAILABLE: 5,
  /** A put reached fewer durable copies than the write quorum. */
  REPLICATION: 6,
  /** A local file cannot be read or written (missing input, bad output path). */
  LOCAL_FILE: 7,
  /** Data failed verification: the link's key does not decrypt it, or fsck found corrupt blocks. */
  INTEGRITY: 8,
  /** Another `get` is writing to the same output path. */
  BUSY: 9,
  /** Interrupted by SIGINT/SIGTERM. */
  INTERRUPTED: 130
} as const

/** Shown in `cairn --help`. */
export const EXIT_CODES_HELP = `
Exit codes:
  0  success
  1  unexpected failure
  2  usage error: bad flag or argument, malformed link
  3  mesh unreachable (or its TLS certificate not trusted), or no local host running
  4  refused by the mesh: wrong join token (rm: wrong or missing owner secret)
  5  file not available in the mesh (expired, removed, or no host has it)
  6  put reached fewer copies than required
  7  local file missing or not writable
  8  integrity failure: wrong key or corrupt data (fsck: corrupt blocks found)
  9  output path in use: another get is writing to it
  130 interrupted`

const BY_CODE: Record<string, number> = {
  ERR_USAGE: EXIT.USAGE,
  ERR_LINK: EXIT.USAGE,
  ERR_NOT_A_FOLDER: EXIT.USAGE,
  ERR_NO_SUCH_ENTRY: EXIT.USAGE,
  ERR_FOLDER_INPUT: EXIT.LOCAL_FILE,
  ERR_INVALID_ID: EXIT.USAGE,
  ERR_INVALID_KEY: EXIT.USAGE,
  ERR_NO_HOST: EXIT.UNREACHABLE,
  ERR_UNREACHABLE: EXIT.UNREACHABLE,
  ERR_CERTIFICATE: EXIT.UNREACHABLE,
  ERR_CONNECTION_CLOSED: EXIT.UNREACHABLE,
  ERR_TIMEOUT: EXIT.UNREACHABLE,
  ERR_HANDSHAKE: EXIT.REFUSED,
  ERR_UNAVAILABLE: EXIT.UNAVAILABLE,
  ERR_NOT_FOUND: EXIT.UNAVAILABLE,
  ERR_EXPIRED: EXIT.UNAVAILABLE,
  ERR_DELETED: EXIT.UNAVAILABLE,
  ERR_OWNER: EXIT.REFUSED,
  ERR_EXPIRY: EXIT.USAGE,
  ERR_REPLICATION: EXIT.REPLICATION,
  ERR_LOCAL_FILE: EXIT.LOCAL_FILE,
  ERR_OUTPUT_BUSY: EXIT.BUSY,
  ERR_INTEGRITY: EXIT.INTEGRITY,
  ERR_DECRYPT: EXIT.INTEGRITY,
  ERR_MANIFEST: EXIT.INTEGRITY,
  ERR_ABORTED: EXIT.INTERRUPTED
}

export function exitCodeFor (err: unknown): number {
  return err instanceof CairnError ? BY_CODE[err.code] ?? EXIT.FAILURE : EXIT.FAILURE
}

function oneLine (text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim()
}

/** The reason to print after `cairn: `. */
export function describeError (err: unknown): string {
  if (err instanceof CairnError && err.code === 'ERR_ABORTED') return 'interrupted'
  if (err instanceof CairnError) return oneLine(err.message)
  const message = err instanceof Error ? err.message : String(err)
  return oneLine(`unexpected error: ${message}`)
}
