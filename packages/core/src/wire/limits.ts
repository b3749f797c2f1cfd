/**
 * Hard limits on what a frame may hold. Decoders check these before allocating.
 * Block sizes are geometry (`MAX_BLOCK_SIZE` in crypto/geometry.ts); frames derive from them.
 */
import { MAX_BLOCK_SIZE } from '../crypto/geometry.js'

/** Largest frame on any transport (a whole block plus its header fits). */
export const MAX_FRAME_SIZE = MAX_BLOCK_SIZE + 64 * 1024
/** Bytes a `block`/`put` frame needs besides its data. */
export const FRAME_OVERHEAD = 256
/** Frames before authentication are capped at this size. */
export const MAX_PRE_AUTH_FRAME = 4096
export const MAX_PEER_ID_LENGTH = 128
/** Length of a peer's display name (`hello.name`), in UTF-16 units. */
export const MAX_PEER_NAME_LENGTH = 64
export const MAX_ADDRS = 8
export const MAX_ADDR_LENGTH = 256
export const MAX_PEERS = 256
/** Longest zone name (`--zone`), visible ASCII. */
export const MAX_ZONE_LENGTH = 64
export const MAX_HAVE_CIDS = 1024
/** Longest byte range a replica audit may ask for (`audit.length`, `proof.data`). */
export const MAX_AUDIT_LENGTH = 1024
/** Owner secrets in one `tombstones` frame. */
export const MAX_TOMBSTONES = 256
export const MAX_SIGNAL_BYTES = 16 * 1024
export const MAX_ERROR_MESSAGE = 512
export const MAX_CODE_LENGTH = 64
export const MAX_REPLICAS = 16
export const MAX_STATUS_PEERS = 1024
/** Highest protocol version a `hello` may announce (versions are small positive integers). */
export const MAX_PROTOCOL_VERSION = 255
/** Length of `PeerStatus.transport` (a short name such as 'websocket' or 'webrtc'). */
export const MAX_TRANSPORT_LENGTH = 32
/** Highest `copies` a `stored` reply may report. */
export const MAX_COPIES = 255
/** ICE servers a host may hand a tab, URLs per server, and length of a TURN username or credential. */
export const MAX_ICE_SERVERS = 8
export const MAX_ICE_URLS = 4
export const MAX_ICE_CREDENTIAL = 256
