/**
 * Where a join token comes from besides the command line, where `ps` shows it
 * to every user of the machine: a file (`--token-file PATH`) or the
 * environment (`CAIRN_TOKEN`). Flags win over the environment.
 */
import { open } from 'node:fs/promises'
import { LocalFileError, UsageError } from './errors.js'

export const TOKEN_ENV = 'CAIRN_TOKEN'
/** Longest token file read: a token is at most 256 characters, plus a newline or so. */
const MAX_TOKEN_FILE = 1024
const TOKEN_SYNTAX = /^[\x21-\x7e]{1,256}$/

export interface TokenFlags {
  /** `--token T` (hosts only). */
  token?: string
  /** `--token-file PATH`. */
  tokenFile?: string
}

export interface GivenToken {
  token: string
  /** Where it came from, as the user would name it: `--token`, `--token-file`, `CAIRN_TOKEN`. */
  from: string
}

/** The token the user gave: `--token`, else `--token-file`, else `$CAIRN_TOKEN`; undefined if none. */
export async function givenToken (flags: TokenFlags, env: NodeJS.ProcessEnv = process.env): Promise<GivenToken | undefined> {
  if (flags.token !== undefined && flags.tokenFile !== undefined) throw new UsageError('--token and --token-file exclude each other')
  const given = flags.token !== undefined
    ? { token: flags.token, from: '--token' }
    : flags.tokenFile !== undefined
      ? { token: await readTokenFile(flags.tokenFile), from: '--token-file' }
      : env[TOKEN_ENV] !== undefined && env[TOKEN_ENV] !== ''
        ? { token: env[TOKEN_ENV].trim(), from: TOKEN_ENV }
        : undefined
  if (given !== undefined && !TOKEN_SYNTAX.test(given.token)) {
    throw new UsageError(`${given.from} must be 1 to 256 printable ASCII characters without spaces`)
  }
  return given
}

/** The first line of a small file, without surrounding whitespace. */
export async function readTokenFile (path: string): Promise<string> {
  let text: string
  try {
    const file = await open(path, 'r')
    try {
      const buffer = Buffer.alloc(MAX_TOKEN_FILE + 1)
      const { bytesRead } = await file.read(buffer, 0, buffer.length, 0)
      if (bytesRead > MAX_TOKEN_FILE) throw new UsageError(`--token-file ${path} is over ${MAX_TOKEN_FILE} bytes: not a token`)
      text = buffer.subarray(0, bytesRead).toString('utf8')
    } finally {
      await file.close()
    }
  } catch (cause) {
    if (cause instanceof UsageError) throw cause
    const code = (cause as NodeJS.ErrnoException).code
    throw new LocalFileError(`cannot read --token-file ${path}: ${code === 'ENOENT' ? 'no such file' : code ?? 'error'}`, { cause })
  }
  const token = text.split(/\r?\n/)[0]!.trim()
  if (token === '') throw new UsageError(`--token-file ${path} is empty`)
  return token
}
