/**
 * The host's data directory:
 *   identity    exported Ed25519 key (mode 0600)
 *   host-key    the mesh's host key, which only hosts hold (mode 0600)
 *   token       the member (join) token derived from it, for local clients (mode 0600; empty for an open mesh)
 *   blocks/     the FsBlockStore
 *   host.json   `{ port, url, pid }` while a host runs, so local clients find it
 *   peers.json  the hosts it knows, redialed on start (see peers-file.ts)
 *   tombstones.json  owner secrets of removed files, kept across restarts (see tombstones-file.ts)
 */
import { randomBytes } from 'node:crypto'
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { syncDir } from '../store/fs-write.js'
import { NoHostError, UsageError } from './errors.js'

export const DEFAULT_DATA_DIR = './.cairn'

export interface DataDirPaths {
  root: string
  identity: string
  hostKey: string
  token: string
  blocks: string
  hostFile: string
  peers: string
  tombstones: string
}

export function dataDirPaths (dir: string): DataDirPaths {
  const root = resolve(dir)
  return {
    root,
    identity: join(root, 'identity'),
    hostKey: join(root, 'host-key'),
    token: join(root, 'token'),
    blocks: join(root, 'blocks'),
    hostFile: join(root, 'host.json'),
    peers: join(root, 'peers.json'),
    tombstones: join(root, 'tombstones.json')
  }
}

/** What a running host publishes about itself. */
export interface HostFile {
  port: number
  /** The join URL, `http://H:P/#join=TOKEN`. */
  url: string
  pid: number
}

/** A fresh join token: 128 random bits, base64url. */
export function generateToken (): string {
  return randomBytes(16).toString('base64url')
}

/**
 * Write a small private file (mode 0600) atomically and durably: temp file,
 * fsync, rename, fsync the directory. A crash leaves the old file or the new one.
 */
export async function writePrivateFile (path: string, data: string | Uint8Array): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`
  await rm(temp, { force: true }) // a leftover of a crashed write; 'wx' then sets the mode
  const fh = await open(temp, 'wx', 0o600)
  try {
    await fh.writeFile(data)
    await fh.sync()
  } finally {
    await fh.close()
  }
  await rename(temp, path)
  await syncDir(dirname(path))
}

async function readOptional (path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

export async function ensureDataDir (paths: DataDirPaths): Promise<void> {
  await mkdir(paths.root, { recursive: true, mode: 0o700 })
}

export async function loadToken (paths: DataDirPaths): Promise<string | undefined> {
  return (await readOptional(paths.token))?.toString('utf8').trim()
}

export async function saveToken (paths: DataDirPaths, token: string): Promise<void> {
  await writePrivateFile(paths.token, token)
}

export async function loadHostKey (paths: DataDirPaths): Promise<string | undefined> {
  const key = (await readOptional(paths.hostKey))?.toString('utf8').trim()
  return key === '' ? undefined : key
}

export async function saveHostKey (paths: DataDirPaths, hostKey: string): Promise<void> {
  await writePrivateFile(paths.hostKey, hostKey)
}

/** True if a process with this pid exists. */
export function isAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The running host's `host.json`, or undefined if none is running. */
export async function readHostFile (paths: DataDirPaths): Promise<HostFile | undefined> {
  const bytes = await readOptional(paths.hostFile)
  if (bytes === undefined) return undefined
  let parsed: Partial<HostFile>
  try {
    parsed = JSON.parse(bytes.toString('utf8')) as Partial<HostFile>
  } catch {
    return undefined
  }
  const { port, url, pid } = parsed
  if (typeof port !== 'number' || typeof url !== 'string' || typeof pid !== 'number') return undefined
  return isAlive(pid) ? { port, url, pid } : undefined
}

/** The running local host, or a clear `NoHostError`. */
export async function requireLocalHost (paths: DataDirPaths): Promise<HostFile> {
  const host = await readHostFile(paths)
  if (host === undefined) {
    throw new NoHostError(`no host running with data dir ${paths.root} (start one with 'cairn host', or pass --mesh URL)`)
  }
  return host
}

/** Refuse to start a second host on the same data dir. */
export async function assertNoRunningHost (paths: DataDirPaths): Promise<void> {
  const host = await readHostFile(paths)
  if (host !== undefined && host.pid !== process.pid) {
    throw new UsageError(`another host (pid ${host.pid}) is using data dir ${paths.root}`)
  }
}

export async function writeHostFile (paths: DataDirPaths, host: HostFile): Promise<void> {
  await writePrivateFile(paths.hostFile, JSON.stringify(host) + '\n')
}

export async function removeHostFile (paths: DataDirPaths): Promise<void> {
  await rm(paths.hostFile, { force: true })
}
