/** `cairn put FILE...`: encrypt, cut into blocks and store each file in the mesh; print one link per file. */
import { stat } from 'node:fs/promises'
import { basename, resolve } from 'node:path'
import { addFile, formatWebLink } from '@cairn/core'
import { LocalFileError } from '../../config/index.js'
import { readFileChunks } from '../file-source.js'
import { mediaTypeOf } from '../../http/index.js'
import { connectClient, resolveTarget, type MeshClient, type TargetOptions } from '../client.js'
import { interruptSignal } from '../interrupt.js'
import { printJson, printLine } from '../output.js'
import { createProgress, progressEnabled } from '../progress.js'

export interface PutOptions extends TargetOptions {
  replicas?: number
  json?: boolean
}

/** Bytes read from disk per chunk. */
const READ_CHUNK = 1024 * 1024
/** Blocks in flight to the mesh: the mesh's default push window to one host. */
export const PUT_CONCURRENCY = 16

interface Input { path: string, name: string, size: number, mtime: number }

/** Check every file before touching the network. */
async function checkInputs (files: string[]): Promise<Input[]> {
  return await Promise.all(files.map(async file => {
    const path = resolve(file)
    let info
    try {
      info = await stat(path)
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code
      throw new LocalFileError(code === 'ENOENT' ? `no such file: ${file}` : `cannot read ${file}: ${code ?? 'error'}`, { cause })
    }
    if (!info.isFile()) throw new LocalFileError(`not a regular file: ${file}`)
    return { path, name: basename(path), size: info.size, mtime: Math.floor(info.mtimeMs) }
  }))
}

async function putOne (client: MeshClient, input: Input, options: PutOptions, signal: AbortSignal): Promise<void> {
  const progress = createProgress(input.name, input.size, progressEnabled(options.json))
  // Only pass `replicas` when given: an explicit undefined would override the mesh's default R.
  // addFile names each block from its bytes, so the mesh's sink does not hash them again (hosts do).
  const sink = client.mesh.blockSink(options.replicas === undefined ? {} : { replicas: options.replicas })
  try {
    const source = readFileChunks(input.path, { chunkSize: READ_CHUNK, signal })
    const meta = { name: input.name, type: mediaTypeOf(input.name), mtime: input.mtime }
    const added = await addFile(source, meta, sink, { signal, concurrency: PUT_CONCURRENCY, onProgress: n => progress.update(n) })
    progress.stop()
    const { origin, token } = client.target
    const link = formatWebLink(origin, token, added.link)
    if (options.json === true) printJson({ link, root: added.root.toString(), size: added.size, replicas: added.replicas ?? 0 })
    else printLine(link)
  } finally {
    progress.stop()
  }
}

export async function putCommand (files: string[], options: PutOptions): Promise<void> {
  const inputs = await checkInputs(files)
  const signal = interruptSignal()
  const client = await connectClient(await resolveTarget(options), { signal })
  try {
    for (const input of inputs) await putOne(client, input, options, signal)
  } finally {
    await client.close()
  }
}
