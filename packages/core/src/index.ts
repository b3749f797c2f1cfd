/**
 * `@cairn/core`: the user-facing surface. Typed errors; block ids; share links,
 * join URLs and mesh addresses; adding, opening and reading files; Cobblestone
 * streams; the interfaces adapters implement (`BlockStore`, `Connection`,
 * `Transport`, `Mesh`) and the `MeshNode` that runs on them.
 *
 * Internals adapters need live behind subpaths, each one folder's concern:
 * `@cairn/core/wire` (frame codec, messages, limits, the receive FrameQueue),
 * `@cairn/core/mesh` (tuning defaults, handshake codes, placement, peer ids,
 * dialing), `@cairn/core/crypto` (Cobblestone's sizes and length arithmetic,
 * the chunk cipher), and the test kit `@cairn/core/testing`. Everything else
 * (manifest encoding, the memory adapters outside the test kit) is private.
 */
export * from './errors.js'

// Blocks: ids, verification, and what readers fetch blocks through.
export * from './block/index.js'

// Addresses: share links, the URL fragment, join URLs, mesh endpoint addresses.
export * from './address/index.js'

// Files: add, open, read.
export { addFile, DEFAULT_PUT_CONCURRENCY, openFile, readFile, DEFAULT_READ_AHEAD, DEFAULT_OPEN_AHEAD, resumingSink } from './file/index.js'
export type { AddJournal, ResumingSinkInit } from './file/index.js'
export type { AddInit, AddResult, BlockSink, FileMeta, OpenedFile, PutOptions, ReadInit, ReadRange } from './file/index.js'
export type { FileInfo } from './file/manifest-fields.js'

// Child signals for many short tasks under one parent signal.
export { childSignals } from './file/abort.js'

// Folders: a tree of nodes, each a file listing its entries.
export * from './folder/index.js'

// Cobblestone encryption streams.
export { encryptStream, decryptStream } from './crypto/stream.js'
export { decryptRange } from './crypto/random-access.js'
export type { PlaintextRange, RangeReader } from './crypto/random-access.js'
export { DEFAULT_AEAD, DEFAULT_CONCURRENCY } from './crypto/constants.js'
export type { Aead, CobblestoneInit } from './crypto/constants.js'

// The interfaces adapters implement.
export type * from './store/block-store.js'
export { blockKey } from './store/key.js'
export { intoBuffer } from './store/into.js'
export { BLOCK_RECORD_VERSION, MAX_RECORD_SIZE, OWNER_TAG_LENGTH, checkRecord, copyRecord, decodeRecord, encodeRecord, isExpired, mergeRecords, sameRecord } from './store/record.js'
export type { BlockRecord } from './store/record.js'
export type * from './transport/connection.js'

// The mesh: its interface, the node, identities, and what it reports.
export type * from './mesh/api.js'
export type { BackgroundFailures, HostStatus, IceServer, PeerInfo, PeerStatus, Role } from './wire/messages.js'
export { MeshNode, DEFAULT_REPLICAS, DEFAULT_REPAIR_INTERVAL } from './mesh/node.js'
export type { MeshNodeOptions } from './mesh/node.js'
export type { MeshTuning, PeerLimits } from './mesh/tuning.js'
export { formatOwnerSecret, newOwner, ownerTag, OWNER_SECRET_LENGTH, parseOwnerSecret } from './mesh/owner.js'
export { MemoryTombstoneStore } from './mesh/tombstone-store.js'
export type { SavedTombstone, TombstoneStore } from './mesh/tombstone-store.js'
export { MAX_KEPT_TOMBSTONES, TOMBSTONE_RETENTION } from './mesh/tombstones.js'
export { generateIdentity, exportIdentity, importIdentity } from './mesh/identity.js'
export { generateHostKey, deriveMemberToken, MAX_HOST_KEY_LENGTH } from './mesh/host-key.js'
export type { GenerateIdentityInit, ImportIdentityInit } from './mesh/identity.js'
export type { BackgroundFailure, BackgroundKind } from './mesh/failures.js'
