/**
 * `cairn put FILE...`: encrypt, cut into blocks and store each file in the mesh; print one link per
 * argument (a directory is one folder link: put-folder.ts; `--bundle`: one folder link for all).
 */
import type { Stats } from 'node:fs'
import { stat } from 'node:fs/promises'
import { basename, resolve } from 'node:path'
import { addFile, formatOwnerSecret, formatWebLink, ownerTag, type AddResult, type BlockSink, type HostStatus } from '@cairn/core'
import { appendOwned } from '../owned.js'
import { LocalFileError, expiryFrom } from '../../config/index.js'
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
  /** `--expires`: ms from now. */
  expires?: number
  /** `--expires-at`: ms since the epoch. */
  expiresAt?: number
  json?: boolean
  /** Where the history of added files is (`ownedPath`). */
  owned: string
}

/** The options with the expiry resolved once, for every file and folder of one command. */
export interface PutPlan extends PutOptions {
  expiry: number | undefined
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

/** What `addJournaled` gives back; the caller removes the journal once the add is recorded. */
export interface JournaledAdd { added: AddResult, resumedBytes: number, journal: PutJournal }

/**
 * Add one local file through its resume journal: an interrupted put of the same
 * file (path, size, mtime, device, inode) reuses its key, salt and owner secret,
 * and content blocks the host holds are not sent again. Used for each file of a
 * folder too (there `sinkFor` ignores the journal's owner: the folder's covers them).
 */
export async function addJournaled (
  client: MeshClient, input: Input, sinkFor: (journal: PutJournal) => Promise<BlockSink>, signal: AbortSignal, onProgress: (bytes: number) => void
): Promise<JournaledAdd> {
  const journal = await PutJournal.open({ path: input.path, size: input.size, mtime: input.mtime, dev: input.dev, ino: input.ino })
  let resumedBytes = 0
  try {
    const meshSink = await sinkFor(journal)
    // addFile names each block from its bytes, so the mesh's sink does not hash them again (hosts do).
    const held = await heldAtHost(client, journal, signal)
    const sink = resumingSink(meshSink, journal, { held, file: input.path, onSkipped: n => { resumedBytes += n } })
    const source = readFileChunks(input.path, { chunkSize: READ_CHUNK, signal })
    const meta = { name: input.name, type: mediaTypeOf(input.name), mtime: input.mtime }
    const resume = { key: journal.key, salt: journal.salt }
    const added = await addFile(source, meta, sink, { signal, concurrency: PUT_CONCURRENCY, onProgress, resume })
    return { added, resumedBytes, journal }
  } catch (err) {
    // Kept for the next attempt, unless the file is no longer what it sealed.
    if (err instanceof FileChangedError) await journal.remove()
    else await journal.close()
    throw err
  }
}

/**
 * The mesh's block sink, each block's record carrying the owner tag, `--replicas`
 * and the expiry (only when given: an explicit undefined would override the mesh's default R).
 */
export async function meshSinkOf (client: MeshClient, plan: PutPlan, owner: Uint8Array): Promise<BlockSink> {
  return client.mesh.blockSink({
    owner: await ownerTag(owner),
    ...(plan.replicas === undefined ? {} : { replicas: plan.replicas }),
    ...(plan.expiry === undefined ? {} : { expires: plan.expiry })
  })
}

/** What was added, as a put reports it. */
interface Added { link: string, root: { toString: () => string }, size: number, replicas?: number }

/**
 * Keep a share in the history of added files (with its owner secret), print its
 * link (or its JSON line) and warn when it reached fewer copies than its target.
 * Callers remove a resume journal only after this: a crash in between leaves
 * both, never neither.
 */
export async function reportPut (
  client: MeshClient, name: string, added: Added, owner: Uint8Array, plan: PutPlan, info: HostInfo, json: Record<string, unknown>
): Promise<void> {
  const { origin, token } = client.target
  const link = formatWebLink(origin, token, added.link)
  const copies = added.replicas ?? 0
  const root = added.root.toString()
  // The target: --replicas, else the host's own R (it coordinated the copies).
  const host = await info()
  const target = plan.replicas ?? host.replicas
  const expires = plan.expiry === undefined ? {} : { expires: new Date(plan.expiry).toISOString() }
  const ownerText = formatOwnerSecret(owner)
  await appendOwned(plan.owned, { root, link, name, size: added.size, owner: ownerText, replicas: target, ...expires, added: new Date().toISOString() })
  if (plan.json === true) printJson({ link, root, size: added.size, ...json, replicas: copies, target, ...expires, owner: ownerText })
  else printLine(link)
  const shortfall = putShortfall(name, copies, target, host.storingHosts)
  if (shortfall !== undefined) logLine(`cairn: warning: ${shortfall}`)
}

async function putOne (client: MeshClient, input: Input, plan: PutPlan, info: HostInfo, signal: AbortSignal): Promise<void> {
  const progress = createProgress(input.name, input.size, progressEnabled(plan.json))
  try {
    const sinkFor = async (journal: PutJournal): Promise<BlockSink> => await meshSinkOf(client, plan, journal.owner)
    const { added, resumedBytes, journal } = await addJournaled(client, input, sinkFor, signal, n => progress.update(n))
    progress.stop()
    await reportPut(client, input.name, added, journal.owner, plan, info, { resumedBytes })
    await journal.remove()
  } finally {
    progress.stop()
  }
}

/** The name of the folder `put A B C --bundle` makes. */
export const BUNDLE_NAME = 'bundle'

export async function putCommand (files: string[], options: FolderPutOptions & { bundle?: boolean }): Promise<void> {
  const plan = { ...options, expiry: expiryFrom(options) }
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
      await putFolder(client, { kind: 'dir', name: BUNDLE_NAME, mtime: Date.now(), entries: () => entries }, plan, info, signal)
      return
    }
    for (const arg of args) {
      if (arg.kind === 'dir') await putFolder(client, localDir(arg.path, arg.info, tree), plan, info, signal)
      else await putOne(client, arg.input, plan, info, signal)
    }
  } finally {
    await client.close()
  }
}
