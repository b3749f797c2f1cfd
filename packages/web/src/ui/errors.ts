/**
 * What to tell the user about a failure, by the error's stable `code`
 * (never its message text), with the detail kept for the curious.
 */
import { isQuotaExceeded } from '../store/quota.js'

interface Coded { code?: unknown, message?: unknown }

const MESSAGES: Record<string, string> = {
  ERR_LINK: 'This link is not a valid Cairn link. It may be incomplete: copy the whole link and try again.',
  ERR_INVALID_ID: 'This link is not a valid Cairn link.',
  ERR_DECRYPT: 'This link cannot open the file: its key is wrong, or the link was altered.',
  ERR_INTEGRITY: 'A peer sent data that failed verification.',
  ERR_MANIFEST: 'The file description behind this link is damaged.',
  ERR_UNAVAILABLE: 'No reachable peer has this file right now. The tab or host holding it may be offline.',
  ERR_NOT_FOUND: 'No reachable peer has this file right now.',
  ERR_INPUT_CHANGED: 'This file changed since its add was interrupted. Add it again: it starts afresh.',
  ERR_STORAGE_FULL: 'This browser\'s storage for Cairn is full. Free some space or remove files, then try again.',
  ERR_REPLICATION: 'The hosts could not store enough copies of this file.',
  ERR_HANDSHAKE: 'The host refused this tab: the join link (token) may be wrong or out of date.',
  ERR_CONNECTION_CLOSED: 'The connection to the mesh closed.',
  ERR_TIMEOUT: 'The operation took too long.',
  ERR_ABORTED: 'Cancelled.',
  ERR_EXPIRED: 'This file has expired: the hosts no longer serve it.',
  ERR_DELETED: 'This file was deleted by its owner.',
  ERR_OWNER: 'Only the tab that added this file can delete it: this browser does not hold its owner secret.',
  ERR_EXPIRY: 'The hosts do not accept this expiry: choose a shorter one.',
  ERR_RELAY_BUDGET: 'Only another tab holds this file, and the host\'s relay budget is used up: it passes no more blocks between tabs that cannot link directly.',
  ERR_RELAY_BUSY: 'The host\'s relay is busy: try again in a moment.'
}

export function describeError (err: unknown): { summary: string, detail: string, code: string } {
  const coded = (typeof err === 'object' && err !== null ? err : {}) as Coded
  // A browser quota error that a writer let through raw is still storage full.
  const code = typeof coded.code === 'string' ? coded.code : isQuotaExceeded(err) ? 'ERR_STORAGE_FULL' : 'ERR_UNKNOWN'
  const detail = typeof coded.message === 'string' ? coded.message : ''
  const summary = MESSAGES[code] ?? 'Something went wrong.'
  return { summary, detail, code }
}
