/** `cairn get LINK`: fetch, verify and decrypt a file from the mesh to stdout or `-o PATH`, resuming where an earlier attempt stopped. */
import { join } from 'node:path'
import { openFile, type OpenedFile } from '@cairn/core'
import { folderTarget, getFolder } from '../folder-get.js'
import type { MeshClient, TargetOptions } from '../client.js'
import { copyToSink, fillPartFile } from '../download.js'
import { interruptSignal } from '../interrupt.js'
import { parseLinkArg } from '../link-arg.js'
import { resolveOutputPath, safeFileName, specialSink, stdoutSink, type OutputTarget } from '../output-file.js'
import { connectFirst, linkCandidates } from '../mesh-candidates.js'
import { logLine, printJson } from '../output.js'
import { PartFile } from '../part-file.js'
import { createProgress, progressEnabled, type Progress } from '../progress.js'
import { DEFAULT_STALL_TIMEOUT, retryStalls } from '../stall-retry.js'

export interface GetOptions extends TargetOptions {
  /** `-o`: a path, a directory, or '-' for stdout (the default). */
  output?: string
  /** With `-o DIR`: replace a file of the same name already there. */
  force?: boolean
  /** `--no-resume` sets it false: drop a part file left by an earlier attempt. */
  resume?: boolean
  /** `--timeout`: ms without progress before failing (default `DEFAULT_STALL_TIMEOUT`). */
  timeout?: number
  json?: boolean
}

/** Blocks fetched ahead of the one being decrypted. */
export const READ_AHEAD = 16

export interface Transfer {
  client: MeshClient
  signal: AbortSignal
  timeout: number
  progress: Progress
  /** Blocks fetched ahead (default `READ_AHEAD`). */
  readAhead?: number
}

/** `-o PATH` or `-o DIR`: through a part file that survives failures. */
async function getToOutput (file: OpenedFile, out: OutputTarget, options: GetOptions, t: Transfer): Promise<{ path: string, resumedBytes: number }> {
  // `-o PATH` names the file itself; in `-o DIR` the adder chose the name, so nothing there is replaced unless forced.
  const path = out.kind === 'dir' ? join(out.path, safeFileName(file.name)) : out.path
  const overwrite = out.kind === 'dir' ? options.force === true : true
  return await getToFile(file, path, overwrite, options.resume !== false, t)
}

/**
 * Fetch `file` to `path` through a part file (resuming one left by an earlier
 * attempt), renamed into place once complete, with modification time `mtime` (ms) if given.
 */
export async function getToFile (
  file: OpenedFile, path: string, overwrite: boolean, resume: boolean, t: Transfer, mtime?: number
): Promise<{ path: string, resumedBytes: number }> {
  const part = await PartFile.open({ path, root: file.root, check: async (index, plaintext) => await file.matchesBlock(index, plaintext, { signal: t.signal }), size: file.size, overwrite, resume })
  let done = part.resumedBytes
  t.progress.update(done)
  try {
    const init = { signal: t.signal, readAhead: t.readAhead ?? READ_AHEAD, onBytes: (n: number) => { done += n; t.progress.update(done) } }
    await retryStalls(async () => { await fillPartFile(file, part, init) }, { client: t.client, signal: t.signal, timeout: t.timeout, progress: () => done })
    return { path: await part.commit(mtime), resumedBytes: part.resumedBytes }
  } finally {
    await part.keep()
  }
}

/** stdout, a device or a pipe: written in order, a stall resumes from the last byte written. */
async function getToStream (file: OpenedFile, out: OutputTarget | undefined, t: Transfer): Promise<void> {
  const sink = out === undefined ? stdoutSink() : await specialSink(out.path)
  const at = { written: 0 }
  try {
    const init = { signal: t.signal, readAhead: READ_AHEAD, onBytes: () => { t.progress.update(at.written) } }
    await retryStalls(async () => { await copyToSink(file, sink, at, init) }, { client: t.client, signal: t.signal, timeout: t.timeout, progress: () => at.written })
    await sink.commit()
  } catch (err) {
    await sink.abort()
    throw err
  }
}

export async function getCommand (text: string, options: GetOptions): Promise<void> {
  const link = parseLinkArg(text)
  const toStdout = options.output === undefined || options.output === '-'
  const out = toStdout ? undefined : await resolveOutputPath(options.output ?? '')
  const signal = interruptSignal()
  const timeout = options.timeout ?? DEFAULT_STALL_TIMEOUT
  const client = await connectFirst(await linkCandidates(options, link), { signal, notice: line => logLine(`cairn: ${line}`) })
  try {
    // The mesh hashes every block it hands over (mesh/fetch.ts); the reader knows it and does not hash again.
    const source = client.mesh.blockSource()
    const opened = await retryStalls(async () => await openFile(link, source, { signal }), { client, signal, timeout, progress: () => 0 })
    const target = await folderTarget(opened, link, source, client, { signal, timeout })
    if (target.kind === 'folder') {
      await getFolder(client, target.folder, out, options, { signal, timeout })
      return
    }
    const file = target.file
    const progress = createProgress(safeFileName(file.name), file.size, progressEnabled(options.json))
    const transfer = { client, signal, timeout, progress }
    try {
      if (out === undefined || out.kind === 'special') {
        await getToStream(file, out, transfer)
        progress.stop()
        // On stdout the file is the output; a device (`-o /dev/null`) still gets the result line.
        if (out !== undefined && options.json === true) {
          printJson({ path: out.path, name: file.name, size: file.size, root: link.root.toString(), resumedBytes: 0 })
        }
        return
      }
      const saved = await getToOutput(file, out, options, transfer)
      progress.stop()
      if (options.json === true) {
        printJson({ path: saved.path, name: file.name, size: file.size, root: file.root.toString(), resumedBytes: saved.resumedBytes })
      }
    } finally {
      progress.stop()
    }
  } finally {
    await client.close()
  }
}
