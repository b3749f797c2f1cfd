/** `cairn get LINK`: fetch, verify and decrypt a file from the mesh to stdout or `-o PATH`. */
import { join } from 'node:path'
import { openFile, parseLink } from '@cairn/core'
import { connectClient, resolveTarget, type TargetOptions } from '../client.js'
import { interruptSignal } from '../interrupt.js'
import { fileSink, resolveOutputPath, safeFileName, specialSink, stdoutSink, type OutputSink, type OutputTarget } from '../output-file.js'
import { printJson } from '../output.js'
import { createProgress, progressEnabled } from '../progress.js'

export interface GetOptions extends TargetOptions {
  /** `-o`: a path, a directory, or '-' for stdout (the default). */
  output?: string
  /** With `-o DIR`: replace a file of the same name already there. */
  force?: boolean
  json?: boolean
}

/** Blocks fetched ahead of the one being decrypted. */
export const READ_AHEAD = 16

/** Plaintext gathered before a write: one system call per batch rather than per 16 KiB chunk. */
export const WRITE_BATCH_BYTES = 1024 * 1024
/** Chunks per batch at most (well under IOV_MAX). */
const WRITE_BATCH_CHUNKS = 256

async function copy (source: AsyncIterable<Uint8Array>, sink: OutputSink, onBytes: (n: number) => void): Promise<void> {
  let done = 0
  let batch: Uint8Array[] = []
  let batched = 0
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return
    await sink.write(batch)
    done += batched
    batch = []
    batched = 0
    onBytes(done)
  }
  for await (const chunk of source) {
    batch.push(chunk)
    batched += chunk.length
    if (batched >= WRITE_BATCH_BYTES || batch.length >= WRITE_BATCH_CHUNKS) await flush()
  }
  await flush()
}

async function openSink (out: OutputTarget | undefined, name: string, force: boolean): Promise<OutputSink> {
  if (out === undefined) return stdoutSink()
  if (out.kind === 'special') return await specialSink(out.path)
  // `-o PATH` names the file itself; in `-o DIR` the adder chose the name, so nothing there is replaced unless forced.
  if (out.kind === 'dir') return await fileSink(join(out.path, safeFileName(name)), { overwrite: force })
  return await fileSink(out.path, { overwrite: true })
}

export async function getCommand (text: string, options: GetOptions): Promise<void> {
  const link = parseLink(text)
  const toStdout = options.output === undefined || options.output === '-'
  const out = toStdout ? undefined : await resolveOutputPath(options.output ?? '')
  const signal = interruptSignal()
  const client = await connectClient(await resolveTarget(options, link), { signal })
  try {
    // The mesh hashes every block it hands over (mesh/fetch.ts); the reader knows it and does not hash again.
    const file = await openFile(link, client.mesh.blockSource(), { signal })
    const sink = await openSink(out, file.name, options.force === true)
    const progress = createProgress(safeFileName(file.name), file.size, progressEnabled(options.json))
    try {
      await copy(file.read({ signal, readAhead: READ_AHEAD }), sink, n => progress.update(n))
      const saved = await sink.commit()
      progress.stop()
      if (options.json === true && saved !== undefined) {
        printJson({ path: saved, name: file.name, size: file.size, root: link.root.toString() })
      }
    } catch (err) {
      progress.stop()
      await sink.abort()
      throw err
    }
  } finally {
    await client.close()
  }
}
