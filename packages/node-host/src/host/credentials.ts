/**
 * A host's two credentials (core `mesh/host-key.ts`): the HOST KEY, which only
 * hosts hold, and the MEMBER TOKEN that join URLs and share links carry,
 * derived from it (empty for `--open`).
 *
 * The host key, in order: the one the user chose (`--token K`, `--token-file
 * PATH`), the one in the first `--peer` peer URL (`#host=K`), `$CAIRN_TOKEN`,
 * the one saved in the data dir, or a fresh 256-bit one; a peer URL of an
 * open mesh (`#host=K&open`) makes this host open too. The choice is saved
 * (`host-key`), and so is the member token (`token`, which local clients
 * read), so a restart keeps the same join URL. A key the user chose must be
 * strong (`token-strength.ts`) unless `weakToken`. A `--peer` join URL
 * (`#join=`) carries only a member token, which cannot make a host: refused.
 */
import { deriveMemberToken, generateHostKey } from '@cairn/core'
import {
  TOKEN_ENV, UsageError, givenToken, loadHostKey, loadToken, parsePeerAddress, saveHostKey, saveToken, tokenWeakness, type DataDirPaths
} from '../config/index.js'

export interface CredentialOptions {
  /** `--token`: the host key chosen on the command line. */
  token?: string
  tokenFile?: string
  open?: boolean
  peers?: string[]
  /** Accept a chosen key that `tokenWeakness` refuses (`--weak-token`). */
  weakToken?: boolean
  /** Where `CAIRN_TOKEN` is read (default `process.env`). */
  env?: NodeJS.ProcessEnv
  /** Told once when an older data dir's join token is replaced (it predates host keys). */
  warn?: (line: string) => void
}

export interface Credentials {
  hostKey: string
  /** The member (join) token; '' for an open mesh. */
  token: string
}

export async function resolveCredentials (paths: DataDirPaths, options: CredentialOptions): Promise<Credentials> {
  if (options.open === true && options.token !== undefined) throw new UsageError('--token and --open exclude each other')
  if (options.open === true && options.tokenFile !== undefined) throw new UsageError('--token-file and --open exclude each other')
  const fromFlags = await givenToken({ token: options.token, tokenFile: options.tokenFile }, {})
  const { hostKey: fromPeer, open: peerOpen } = peerHostKey(options.peers ?? [])
  // A peer URL of an open mesh (`&open`) makes this host open too: hosts of one mesh share its member token.
  const open = options.open === true || (peerOpen === true && fromFlags === undefined)
  if (fromFlags !== undefined && fromPeer !== undefined && fromFlags.token !== fromPeer) {
    throw new UsageError(`the --peer URL carries another host key than ${fromFlags.from}: leave one out`)
  }
  const fromEnv = fromFlags === undefined && fromPeer === undefined ? await givenToken({}, options.env ?? process.env) : undefined
  const chosen = fromFlags ?? fromEnv
  if (chosen !== undefined && options.weakToken !== true) {
    const weakness = tokenWeakness(chosen.token)
    if (weakness !== undefined) {
      throw new UsageError(`the host key from ${chosen.from === TOKEN_ENV ? `$${TOKEN_ENV}` : chosen.from} is too weak (${weakness}); ` +
        'choose a longer random one, leave it out to get a fresh 256-bit key, or pass --weak-token')
    }
  }
  const saved = await loadHostKey(paths)
  const hostKey = chosen?.token ?? fromPeer ?? saved ?? generateHostKey()
  if (saved === undefined && chosen === undefined && fromPeer === undefined && !open && (await loadToken(paths) ?? '') !== '') {
    options.warn?.('this data dir\'s join token predates host keys: a new host key was made, so the join URL changed; ' +
      'old share links and --peer join URLs no longer work (other hosts join with this host\'s peer URL)')
  }
  const token = open ? '' : await deriveMemberToken(hostKey)
  await saveHostKey(paths, hostKey)
  await saveToken(paths, token)
  return { hostKey, token }
}

/** The host key of the first `--peer` peer URL (and whether it names an open mesh); a `--peer` join URL (member token only) is a usage error. */
function peerHostKey (peers: string[]): { hostKey?: string, open?: boolean } {
  let first: { hostKey?: string, open?: boolean } = {}
  for (const peer of peers) {
    const parsed = parsePeerAddress(peer)
    if (parsed.token !== undefined) {
      throw new UsageError(`--peer ${peer.replace(/#.*/, '#join=…')}: a join URL lets in a tab or a client, not a host; ` +
        'pass the other host\'s peer URL (its "peerUrl" with --json, "peer URL:" otherwise), which carries #host=')
    }
    if (first.hostKey === undefined && parsed.hostKey !== undefined) first = { hostKey: parsed.hostKey, ...(parsed.open === true ? { open: true } : {}) }
  }
  return first
}
