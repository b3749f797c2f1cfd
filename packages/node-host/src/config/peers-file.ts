/**
 * `<data>/peers.json`: the hosts a data dir's host knows, so that a restarted
 * host redials them without `--peer`, and a client can fall back to them.
 *
 *   { "mesh": "<fingerprint of the join token>", "peers": [
 *       { "addrs": ["ws://H:P/mesh", …], "peerId": "b…", "pinned": true, "seen": <ms> }, … ] }
 *
 * `pinned` entries came from `--peer` and stay until removed by hand; the others
 * were connected to or heard of through gossip, and are forgotten once unseen for
 * `FORGET_AFTER_MS`. The file names the mesh by a fingerprint of its token (never
 * the token), so peers saved for another mesh are not dialed with this one's.
 * Written whole (temp file + rename), mode 0600. Everything read is checked: a
 * malformed file or entry is left out, never trusted.
 */
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { normalizeMeshAddress } from '@cairn/core'
import { MAX_ADDR_LENGTH, MAX_ADDRS, MAX_PEER_ID_LENGTH } from '@cairn/core/wire'
import { writePrivateFile, type DataDirPaths } from './data-dir.js'

export interface SavedPeer {
  /** Mesh addresses (`ws://H:P/mesh`), most widely reachable first. */
  addrs: string[]
  /** Known once it was connected to or heard of. */
  peerId?: string
  /** Given with `--peer`: kept until removed by hand. */
  pinned?: boolean
  /** Last connected to or heard of, ms since the epoch. */
  seen: number
}

/** Most hosts remembered, pinned ones included. */
export const MAX_SAVED_PEERS = 64
/** A host neither connected to nor heard of for this long is forgotten (pinned ones never). */
export const FORGET_AFTER_MS = 7 * 24 * 3600 * 1000
/** Larger files are not read (64 entries of at most 8 addresses fit easily). */
const MAX_FILE_BYTES = 256 * 1024

/** Which mesh the saved peers belong to, without writing its token down. */
export function meshFingerprint (token: string): string {
  return createHash('sha256').update(`cairn/v1/peers\0${token}`).digest('hex').slice(0, 32)
}

/** `value` as a mesh address to dial (`ws(s)://H:P/path`, normalized, no credentials), or undefined. */
function meshAddress (value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > MAX_ADDR_LENGTH) return undefined
  try {
    return normalizeMeshAddress(value)
  } catch {
    return undefined
  }
}

function checkEntry (value: unknown): SavedPeer | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const { addrs, peerId, pinned, seen } = value as Record<string, unknown>
  if (!Array.isArray(addrs) || addrs.length === 0 || addrs.length > MAX_ADDRS) return undefined
  const dialable = addrs.map(meshAddress)
  if (!dialable.every(a => a !== undefined)) return undefined
  if (typeof seen !== 'number' || !Number.isFinite(seen)) return undefined
  const entry: SavedPeer = { addrs: dialable, seen }
  if (typeof peerId === 'string' && peerId.length > 0 && peerId.length <= MAX_PEER_ID_LENGTH) entry.peerId = peerId
  if (pinned === true) entry.pinned = true
  return entry
}

export interface LoadedPeers {
  peers: SavedPeer[]
  /** Entries left out: saved for another mesh (the join token changed) or unseen too long. */
  dropped: number
}

/** The saved peers of the mesh with join token `token`, now. */
export async function loadPeers (paths: DataDirPaths, token: string, now = Date.now()): Promise<LoadedPeers> {
  let text: string
  try {
    const bytes = await readFile(paths.peers)
    if (bytes.length > MAX_FILE_BYTES) return { peers: [], dropped: 0 }
    text = bytes.toString('utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { peers: [], dropped: 0 }
    throw err
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return { peers: [], dropped: 0 }
  }
  const { mesh, peers } = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>
  const entries = (Array.isArray(peers) ? peers : []).slice(0, MAX_SAVED_PEERS).map(checkEntry).filter(e => e !== undefined)
  if (mesh !== meshFingerprint(token)) return { peers: [], dropped: entries.length }
  const kept = entries.filter(e => e.pinned === true || now - e.seen <= FORGET_AFTER_MS)
  return { peers: kept, dropped: entries.length - kept.length }
}

export async function savePeers (paths: DataDirPaths, token: string, peers: SavedPeer[]): Promise<void> {
  const file = { mesh: meshFingerprint(token), peers: peers.slice(0, MAX_SAVED_PEERS) }
  await writePrivateFile(paths.peers, JSON.stringify(file, null, 1) + '\n')
}
