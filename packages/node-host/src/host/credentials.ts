/**
 * Which join token a host uses, in order: `--open` (empty), `--token T`,
 * `--token-file PATH`, the token of the first `--peer` join URL,
 * `$CAIRN_TOKEN`, the one saved in the data dir, or a fresh one. The choice
 * is saved, so the next start keeps it. A token the user chose (flag, file or
 * environment) must be strong (`token-strength.ts`) unless `weakToken`.
 */
import {
  TOKEN_ENV, UsageError, generateToken, givenToken, loadToken, parsePeerAddress, saveToken, tokenWeakness, type DataDirPaths
} from '../config/index.js'

export interface JoinTokenOptions {
  token?: string
  tokenFile?: string
  open?: boolean
  peers?: string[]
  /** Accept a chosen token that `tokenWeakness` refuses (`--weak-token`). */
  weakToken?: boolean
  /** Where `CAIRN_TOKEN` is read (default `process.env`). */
  env?: NodeJS.ProcessEnv
}

export async function resolveJoinToken (paths: DataDirPaths, options: JoinTokenOptions): Promise<string> {
  if (options.open === true && options.token !== undefined) throw new UsageError('--token and --open exclude each other')
  if (options.open === true && options.tokenFile !== undefined) throw new UsageError('--token-file and --open exclude each other')
  const fromFlags = await givenToken({ token: options.token, tokenFile: options.tokenFile }, {})
  const fromPeer = (options.peers ?? []).map(p => parsePeerAddress(p).token).find(t => t !== undefined)
  const fromEnv = fromFlags === undefined && fromPeer === undefined && options.open !== true
    ? await givenToken({}, options.env ?? process.env)
    : undefined
  const chosen = fromFlags ?? fromEnv
  if (chosen !== undefined && options.weakToken !== true) {
    const weakness = tokenWeakness(chosen.token)
    if (weakness !== undefined) {
      throw new UsageError(`the join token from ${chosen.from === TOKEN_ENV ? `$${TOKEN_ENV}` : chosen.from} is too weak (${weakness}); ` +
        'choose a longer random one, leave it out to get a fresh 128-bit token, or pass --weak-token')
    }
  }
  const token = options.open === true
    ? ''
    : fromFlags?.token ?? fromPeer ?? fromEnv?.token ?? await loadToken(paths) ?? generateToken()
  await saveToken(paths, token)
  return token
}
