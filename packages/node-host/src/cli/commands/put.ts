/**
 * `cairn put FILE...`: encrypt, cut into blocks and store each file in the mesh; print one link per
 * argument (a directory is one folder link: put-folder.ts; `--bundle`: one folder link for all).
 */
import type { Stats } from 'node:fs'
import { stat } from 'node:fs/promises'
import { basename, resolve } from 'node:path'
import { addFile, formatWebLink, type AddResult, type BlockSink, type HostStatus } from '@cairn/core'
import { LocalFileError } from '../../config/index.js'
import { readFileChunks } from '../file-source.js'
import { mediaTypeOf } from '../../http/index.js'
import { connectClient, resolveTarget, type MeshClient, type TargetOptions } from '../client.js'
import { interruptSignal } from '../interrupt.js'
import { logLine, printJson, printLine } from '../output.js'
import { putShortfall } from '../replica-health.js'
import { systemErrorText } from '../system-error.js'
import { createProgress, progressEnabled } from '../progress.js'
import { PutJournal } from '../put-journal.js'
import { FileChangedError, resumingSink } from '../resume-sink.js'
import { fileInput, localDir, localFile } from '../folder-source.js'
import { putFolder, treeInit, type FolderPutOptions } from './put-folder.js'

export interface PutOptions extends TargetOptions {
  replicas?: number
  json?: boolean
}

/** Bytes read from disk per chunk. */
const READ_CHUNK = 1024 * 1024
/** Blocks in flight to the mesh: the mesh's default push window to one host. */
export const PUT_CONCURRENCY = 16

export interface Input { path: string, name: string, size: number, mtime: number, dev: number, ino: number }

/** A command-line argument: a file, or a directory (a folder). Arguments themselves are followed if symlinks. */
type Arg = { kind: 'file', input: Input } | { kind: 'dir', path: string, info: Stats }

/** Check every argument before touching the network. */
async function checkInputs (files: string[]): Promise<Arg[]> {
  return await Promise.all(files.map(async (file): Promise<Arg> => {
    const path = resolve(file)
    let info
    try {
      info = await stat(path)
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code
      throw new LocalFileError(code === 'ENOENT' ? `no such file: ${file}` : `cannot read ${file}: ${systemErrorText(cause)}`, { cause })
    }
    if (info.isDirectory()) return { kind: 'dir', path, info }
    if (!info.isFile()) throw new LocalFileError(`not a regular file or directory: ${file}`)
    return { kind: 'file', input: fileInput(path, info) }
  }))
}

/** Which of the blocks an interrupted put handed over the host holds already (want/have probes, in batches). */
async function heldAtHost (client: MeshClient, journal: PutJournal, signal: AbortSignal): Promise<Set<string>> {
  if (journal.previous.length === 0) return new Set()
  const answers = await client.mesh.heldBy(client.hostId, journal.previous, { signal })
  return new Set(journal.previous.filter((_, i) => answers[i] === true).map(id => id.toString()))
}

/** The host's R and live storing hosts, asked once, when a put needs them. */
export type HostInfo = () => Promise<Pick<HostStatus, 'replicas' | 'storingHosts'>>

export function hostInfo (client: MeshClient, signal: AbortSignal): HostInfo {
  let asked: ReturnType<HostInfo> | undefined
  return async () => await (asked ??= client.mesh.requestStatus(client.hostId, { signal }))
}

export interface JournaledAdd { added: AddResult, resumedBytes: number }

/**
 * Add one local file through its resume journal: an interrupted put of the same
 * file (path, size, mtime, device, inode) reuses its key and salt, and content
 * blocks the host holds are not sent again. Used for each file of a folder too.
 */
export async function addJournaled (
  client: MeshClient, input: Input, meshSink: BlockSink, signal: AbortSignal, onProgress: (bytes: number) => void
): Promise<JournaledAdd> {
  const journal = await PutJournal.open({ path: input.path, size: input.size, mtime: input.mtime, dev: input.dev, ino: input.ino })
  let resumedBytes = 0
  try {
    // addFile names each block from its bytes, so the mesh's sink does not hash them again (hosts do).
    const held = await heldAtHost(client, journal, signal)
    const sink = resumingSink(meshSink, journal, { held, file: input.path, onSkipped: n => { resumedBytes += n } })
    const source = readFileChunks(input.path, { chunkSize: READ_CHUNK, signal })
    const meta = { name: input.name, type: mediaTypeOf(input.name), mtime: input.mtime }
    const resume = { key: journal.key, salt: journal.salt }
    const added = await addFile(source, meta, sink, { signal, concurrency: PUT_CONCURRENCY, onProgress, resume })
    await journal.remove()
    return { added, resumedBytes }
  } catch (err) {
    // Kept for the next attempt, unless the file is no longer what it sealed.
    if (err instanceof FileChangedError) await journal.remove()
    else await journal.close()
    throw err
  }
}

/** The mesh's block sink with `--replicas` (only when given: an explicit undefined would override the mesh's default R). */
export function meshSinkOf (client: MeshClient, options: PutOptions): BlockSink {
  return client.mesh.blockSink(options.replicas === undefined ? {} : { replicas: options.replicas })
}

/** Print a share's link (or its JSON line) and warn when it reached fewer copies than its target. */
export async function reportPut (client: MeshClient, name: string, plainLink: string, copies: number, options: PutOptions, info: HostInfo, json: Record<string, unknown>): Promise<void> {
  const { origin, token } = client.target
  const link = formatWebLink(origin, token, plainLink)
  // The target: --replicas, else the host's own R (it coordinated the copies).
  const host = await info()
  const target = options.replicas ?? host.replicas
  if (options.json === true) printJson({ link, ...json, replicas: copies, target })
  else printLine(link)
  const shortfall = putShortfall(name, copies, target, host.storingHosts)
  if (shortfall !== undefined) logLine(`cairn: warning: ${shortfall}`)
}

async function putOne (client: MeshClient, input: Input, options: PutOptions, info: HostInfo, signal: AbortSignal): Promise<void> {
  const progress = createProgress(input.name, input.size, progressEnabled(options.json))
  try {
    const { added, resumedBytes } = await addJournaled(client, input, meshSinkOf(client, options), signal, n => progress.update(n))
    progress.stop()
    await reportPut(client, input.name, added.link, added.replicas ?? 0, options, info,
      { root: added.root.toString(), size: added.size, resumedBytes })
  } finally {
    progress.stop()
  }
}

/** The name of the folder `put A B C --bundle` makes. */
export const BUNDLE_NAME = 'bundle'

export async function putCommand (files: string[], options: FolderPutOptions & { bundle?: boolean }): Promise<void> {
  const args = await checkInputs(files)
  const signal = interruptSignal()
  const client = await connectClient(await resolveTarget(options), { signal })
  try {
    const info = hostInfo(client, signal)
    const tree = treeInit(options, signal)
    if (options.bundle === true) {
      const entries = args.map(arg => arg.kind === 'dir'
        ? localDir(arg.path, arg.info, tree)
        : localFile(arg.input, signal))
      await putFolder(client, { kind: 'dir', name: BUNDLE_NAME, mtime: Date.now(), entries: () => entries }, options, info, signal)
      return
    }
    for (const arg of args) {
      if (arg.kind === 'dir') await putFolder(client, localDir(arg.path, arg.info, tree), options, info, signal)
      else await putOne(client, arg.input, options, info, signal)
    }
  } finally {
    await client.close()
  }
}
