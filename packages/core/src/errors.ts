/**
 * Every error Cairn throws, each with a stable `code`. Callers match on `code`,
 * never on message text. Pass `{ cause }` to keep the underlying error.
 */
export class CairnError extends Error {
  readonly code: string = 'ERR_CAIRN'
  constructor (message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
  }
}

/** A block's bytes do not hash to its id, or stored data is corrupt. */
export class IntegrityError extends CairnError {
  override readonly code = 'ERR_INTEGRITY'
}

/** Decryption failed. One generic message for every cause: no oracle. */
export class DecryptionError extends CairnError {
  override readonly code = 'ERR_DECRYPT'
  constructor (options?: { cause?: unknown }) {
    super('decryption failed', options)
  }
}

/**
 * A caller passed a value an API does not take: the wrong type, a bad option,
 * a source that yields something other than bytes.
 */
export class InvalidArgumentError extends CairnError {
  override readonly code: string = 'ERR_INVALID_ARGUMENT'
}

/** A number outside its allowed range: a read offset past the end, a concurrency below 1, a block index. */
export class OutOfRangeError extends InvalidArgumentError {
  override readonly code = 'ERR_OUT_OF_RANGE'
}

/** A broken internal invariant: a bug in Cairn, never the caller's or a peer's doing. */
export class InternalError extends CairnError {
  override readonly code = 'ERR_INTERNAL'
}

/** A key of the wrong length was given. */
export class InvalidKeyError extends CairnError {
  override readonly code = 'ERR_INVALID_KEY'
}

/** A block id that is not a CIDv1 raw sha2-256, or is malformed. */
export class InvalidIdError extends CairnError {
  override readonly code = 'ERR_INVALID_ID'
}

/** A manifest that fails validation or exceeds its limits. */
export class ManifestError extends CairnError {
  override readonly code: string = 'ERR_MANIFEST'
}

/**
 * A manifest in a format version this Cairn does not read (written by a newer
 * one): update Cairn to open the file. Its block was authentic; only the
 * format is unknown.
 */
export class UnsupportedVersionError extends ManifestError {
  override readonly code = 'ERR_UNSUPPORTED_VERSION'
}

/** A link that names a file was used where a folder is needed (`cairn ls`, a path inside a link). */
export class NotAFolderError extends CairnError {
  override readonly code = 'ERR_NOT_A_FOLDER'
}

/** A link's path names no entry of its folder (or passes through a file). */
export class NoSuchEntryError extends CairnError {
  override readonly code = 'ERR_NO_SUCH_ENTRY'
}

/**
 * What was given to add as a folder cannot be one: an entry name a folder
 * does not take, two names that collide (also case-insensitively), too deep.
 */
export class FolderInputError extends CairnError {
  override readonly code = 'ERR_FOLDER_INPUT'
}

/** A share link that cannot be parsed. */
export class LinkError extends CairnError {
  override readonly code = 'ERR_LINK'
}

/** A wire frame that is malformed, oversized or of an unknown type. */
export class WireError extends CairnError {
  override readonly code: string = 'ERR_WIRE'
}
export class FrameTooLargeError extends WireError {
  override readonly code = 'ERR_FRAME_TOO_LARGE'
}
export class MalformedFrameError extends WireError {
  override readonly code = 'ERR_FRAME_MALFORMED'
}
export class UnknownMessageError extends WireError {
  override readonly code = 'ERR_UNKNOWN_MESSAGE'
}

/** A block the store (or the mesh) does not have. */
export class NotFoundError extends CairnError {
  override readonly code = 'ERR_NOT_FOUND'
}

/** The store is over its quota or the disk is full. */
export class StorageFullError extends CairnError {
  override readonly code = 'ERR_STORAGE_FULL'
}

/**
 * A resumed add's input is not what the interrupted add sealed (same name,
 * size and time, other bytes): it stopped before sending any block sealed
 * again under the old key and salt. Adding it again starts afresh.
 */
export class InputChangedError extends CairnError {
  override readonly code = 'ERR_INPUT_CHANGED'
}

/** The connection closed while an operation needed it. */
export class ConnectionClosedError extends CairnError {
  override readonly code = 'ERR_CONNECTION_CLOSED'
}

/**
 * An address a node will not dial: hosts dial only `ws(s)://HOST[:PORT]/mesh`
 * (no other path, no query, no credentials, no fragment). Gossip and hellos
 * that carry another are counted (`backgroundFailures.address`) and logged.
 */
export class InvalidAddressError extends CairnError {
  override readonly code = 'ERR_INVALID_ADDRESS'
}

/**
 * A host claimed to hold a block but could not prove it: its answer to an
 * audit (a random byte range of the block) was missing or wrong.
 */
export class AuditError extends CairnError {
  override readonly code = 'ERR_AUDIT'
}

/** The peer failed the handshake; `reason` is the wire reason code. */
export class HandshakeError extends CairnError {
  override readonly code = 'ERR_HANDSHAKE'
  readonly reason: string
  constructor (reason: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.reason = reason
  }
}

/**
 * A peer's TLS certificate failed verification: not trusted, not for the name
 * dialed, expired. The TLS library's error (with its code, e.g.
 * `DEPTH_ZERO_SELF_SIGNED_CERT`) is the `cause`.
 */
export class CertificateError extends CairnError {
  override readonly code = 'ERR_CERTIFICATE'
}

/** An operation did not finish in its time bound. */
export class TimeoutError extends CairnError {
  override readonly code = 'ERR_TIMEOUT'
}

/** No reachable peer can supply a block. */
export class UnavailableError extends CairnError {
  override readonly code = 'ERR_UNAVAILABLE'
}

/** A put reached fewer than W durable copies. */
export class ReplicationError extends CairnError {
  override readonly code = 'ERR_REPLICATION'
  readonly copies: number
  constructor (message: string, copies: number, options?: { cause?: unknown }) {
    super(message, options)
    this.copies = copies
  }
}

/** A peer broke the protocol (bad frame, limit exceeded, lying). */
export class ProtocolError extends CairnError {
  override readonly code = 'ERR_PROTOCOL'
}

/** The operation was aborted by its AbortSignal. */
export class AbortError extends CairnError {
  override readonly code = 'ERR_ABORTED'
}

/** A peer answered a request with an error frame; `remoteCode` is its code. */
export class RemoteError extends CairnError {
  override readonly code = 'ERR_REMOTE'
  readonly remoteCode: string
  constructor (remoteCode: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.remoteCode = remoteCode
  }
}

/** A per-block record (replica target, expiry, owner tag) that is malformed, of an unknown version, or out of range. */
export class BlockRecordError extends CairnError {
  override readonly code = 'ERR_BLOCK_RECORD'
}

/** The file's expiry time has passed: hosts no longer serve its blocks. */
export class ExpiredError extends CairnError {
  override readonly code = 'ERR_EXPIRED'
}

/** An expiry a host does not accept: in the past, or beyond its `--max-expiry`. */
export class ExpiryError extends CairnError {
  override readonly code = 'ERR_EXPIRY'
}

/** The owner secret given does not match the file's owner tag, or none was given: nothing was removed. */
export class OwnerError extends CairnError {
  override readonly code = 'ERR_OWNER'
}

/** The file's owner removed it: hosts no longer serve its blocks. */
export class DeletedError extends CairnError {
  override readonly code = 'ERR_DELETED'
}

/**
 * A host's relay (`cairn host --relay BUDGET`) has forwarded its whole byte
 * budget: it relays no more blocks between peers that cannot link directly.
 */
export class RelayBudgetError extends CairnError {
  override readonly code = 'ERR_RELAY_BUDGET'
}

/** A host's relay is at its cap of bytes in flight: try again, or another source. */
export class RelayBusyError extends CairnError {
  override readonly code = 'ERR_RELAY_BUSY'
}

/** The code a node answers with when asked to keep a block but it keeps none. */
export const ERR_NO_STORE = 'ERR_NO_STORE'

/**
 * A node asked to keep a block keeps none (a `--no-store` host, or this node
 * itself without a store): try another host. A `RemoteError` with
 * `remoteCode` `ERR_NO_STORE`, which is also what goes on the wire.
 */
export class NoStoreError extends RemoteError {
  constructor (message = 'this node keeps no blocks', options?: { cause?: unknown }) {
    super(ERR_NO_STORE, message, options)
  }
}

/** Classes whose constructor takes just a message (and options). */
const BY_MESSAGE: Array<new (message: string) => CairnError> = [
  IntegrityError, InvalidKeyError, InvalidArgumentError, OutOfRangeError, InternalError, InvalidIdError,
  ManifestError, UnsupportedVersionError, LinkError, WireError, FrameTooLargeError, MalformedFrameError, UnknownMessageError,
  NotFoundError, StorageFullError, ConnectionClosedError, CertificateError, TimeoutError, UnavailableError, ProtocolError, AbortError, InputChangedError,
  InvalidAddressError, AuditError,
  BlockRecordError, ExpiredError, ExpiryError, OwnerError, DeletedError, RelayBudgetError, RelayBusyError,
  NotAFolderError, FolderInputError, NoSuchEntryError
]
let byCode: Map<string, (message: string) => CairnError> | undefined

/**
 * The typed error for `code` and `message` carried across a boundary that
 * keeps only those two (the page ↔ service worker protocol): an instance of
 * the class with that code, else a `RemoteError` whose `remoteCode` is it.
 * Only for a trusted other side: peers' codes are mapped by the mesh itself.
 */
export function errorFromCode (code: string, message: string): CairnError {
  if (byCode === undefined) {
    byCode = new Map(BY_MESSAGE.map(Class => [new Class('').code, (m: string) => new Class(m)]))
    byCode.set(new DecryptionError().code, () => new DecryptionError())
    byCode.set(new ReplicationError('', 0).code, (m: string) => new ReplicationError(m, 0))
  }
  return byCode.get(code)?.(message) ?? new RemoteError(code, message)
}
