/** `cairn put FILE...`: encrypt, cut into blocks and store each file in the mesh; print one link per file. */
import { stat } from 'node:fs/promises'
import { basename, resolve } from 'node:path'
import { addFile, formatOwnerSecret, formatWebLink, ownerTag, type HostStatus } from '@cairn/core'
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

/** What `putOne` needs of the options, the expiry resolved once for every file. */
interface PutPlan extends PutOptions {
  expiry: number | undefined
}

/** Bytes read from disk per chunk. */
const READ_CHUNK = 1024 * 1024
/** Blocks in flight to the mesh: the mesh's default push window to one host. */
export const PUT_CONCURRENCY = 16

interface Input { path: string, name: string, size: number, mtime: number, dev: number, ino: number }

/** Check every file before touching the network. */
async function checkInputs (files: string[]): Promise<Input[]> {
  return await Promise.all(files.map(async file => {
    const path = resolve(file)
    let info
    try {
      info = await stat(path)
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code
      throw new LocalFileError(code === 'ENOENT' ? `no such file: ${file}` : `cannot read ${file}: ${systemErrorText(cause)}`, { cause })
    }
    if (!info.isFile()) throw new LocalFileError(`not a regular file: ${file}`)
    return { path, name: basename(path), size: info.size, mtime: Math.floor(info.mtimeMs), dev: info.dev, ino: info.ino }
  }))
}

/** Which of the blocks an interrupted put handed over the host holds already (want/have probes, in batches). */
async function heldAtHost (client: MeshClient, journal: PutJournal, signal: AbortSignal): Promise<Set<string>> {
  if (journal.previous.length === 0) return new Set()
  const answers = await client.mesh.heldBy(client.hostId, journal.previous, { signal })
  return new Set(journal.previous.filter((_, i) => answers[i] === true).map(id => id.toString()))
}

/** The host's R and live storing hosts, asked once, when a put needs them. */
type HostInfo = () => Promise<Pick<HostStatus, 'replicas' | 'storingHosts'>>

function hostInfo (client: MeshClient, signal: AbortSignal): HostInfo {
  let asked: ReturnType<HostInfo> | undefined
  return async () => await (asked ??= client.mesh.requestStatus(client.hostId, { signal }))
}

async function putOne (client: MeshClient, input: Input, options: PutPlan, info: HostInfo, signal: AbortSignal): Promise<void> {
  const progress = createProgress(input.name, input.size, progressEnabled(options.json))
  const journal = await PutJournal.open({ path: input.path, size: input.size, mtime: input.mtime, dev: input.dev, ino: input.ino })
  let resumedBytes = 0
  try {
    // Only pass `replicas` when given: an explicit undefined would override the mesh's default R.
    // addFile names each block from its bytes, so the mesh's sink does not hash them again (hosts do).
    const meshSink = client.mesh.blockSink({
      owner: await ownerTag(journal.owner),
      ...(options.replicas === undefined ? {} : { replicas: options.replicas }),
      ...(options.expiry === undefined ? {} : { expires: options.expiry })
    })
    const held = await heldAtHost(client, journal, signal)
    const sink = resumingSink(meshSink, journal, { held, file: input.path, onSkipped: n => { resumedBytes += n } })
    const source = readFileChunks(input.path, { chunkSize: READ_CHUNK, signal })
    const meta = { name: input.name, type: mediaTypeOf(input.name), mtime: input.mtime }
    const resume = { key: journal.key, salt: journal.salt }
    const added = await addFile(source, meta, sink, { signal, concurrency: PUT_CONCURRENCY, onProgress: n => progress.update(n), resume })
    progress.stop()
    const { origin, token } = client.target
    const link = formatWebLink(origin, token, added.link)
    const copies = added.replicas ?? 0
    // The target: --replicas, else the host's own R (it coordinated the copies).
    const host = await info()
    const target = options.replicas ?? host.replicas
    const expires = options.expiry === undefined ? {} : { expires: new Date(options.expiry).toISOString() }
    const owner = formatOwnerSecret(journal.owner)
    // In the history before the journal goes: a crash in between leaves both, never neither.
    await appendOwned(options.owned, { root: added.root.toString(), link, name: input.name, size: added.size, owner, replicas: target, ...expires, added: new Date().toISOString() })
    await journal.remove()
    if (options.json === true) printJson({ link, root: added.root.toString(), size: added.size, replicas: copies, target, resumedBytes, ...expires, owner })
    else printLine(link)
    const shortfall = putShortfall(input.name, copies, target, host.storingHosts)
    if (shortfall !== undefined) logLine(`cairn: warning: ${shortfall}`)
  } catch (err) {
    // Kept for the next attempt, unless the file is no longer what it sealed.
    if (err instanceof FileChangedError) await journal.remove()
    else await journal.close()
    throw err
  } finally {
    progress.stop()
  }
}

export async function putCommand (files: string[], options: PutOptions): Promise<void> {
  const plan: PutPlan = { ...options, expiry: expiryFrom(options) }
  const inputs = await checkInputs(files)
  const signal = interruptSignal()
  const client = await connectClient(await resolveTarget(options), { signal })
  try {
    const info = hostInfo(client, signal)
    for (const input of inputs) await putOne(client, input, plan, info, signal)
  } finally {
    await client.close()
  }
}
