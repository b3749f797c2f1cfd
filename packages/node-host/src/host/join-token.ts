/**
 * Which join token a host uses, in order: `--open` (empty), `--token T`, the
 * token of the first `--peer` join URL, the one saved in the data dir, or a
 * fresh one. The choice is saved, so the next start keeps it.
 */
import { UsageError, generateToken, loadToken, parsePeerAddress, saveToken, type DataDirPaths } from '../config/index.js'

export interface JoinTokenOptions {
  token?: string
  open?: boolean
  peers?: string[]
}

export async function resolveJoinToken (paths: DataDirPaths, options: JoinTokenOptions): Promise<string> {
  if (options.open === true && options.token !== undefined) throw new UsageError('--token and --open exclude each other')
  if (options.token !== undefined && !/^[\x21-\x7e]{1,256}$/.test(options.token)) {
    throw new UsageError('--token must be 1 to 256 printable ASCII characters without spaces')
  }
  const fromPeer = (options.peers ?? []).map(p => parsePeerAddress(p).token).find(t => t !== undefined)
  const token = options.open === true
    ? ''
    : options.token ?? fromPeer ?? await loadToken(paths) ?? generateToken()
  await saveToken(paths, token)
  return token
}
