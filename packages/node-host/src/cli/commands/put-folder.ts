/**
 * `cairn put DIR` and `cairn put A B C --bundle`: one folder link for a tree.
 * Every file goes through its own resume journal (as `put FILE` does), at most
 * `FOLDER_FILES_AT_ONCE` at a time; directories are listed as their turn
 * comes, so memory does not grow with the number of files.
 */
import { addFile, addFolder, newOwner, type FolderDirInput } from '@cairn/core'
import type { MeshClient } from '../client.js'
import type { LocalFile, TreeInit } from '../folder-source.js'
import { logLine } from '../output.js'
import { createProgress, progressEnabled } from '../progress.js'
import { addJournaled, meshSinkOf, reportPut, type HostInfo, type PutOptions, type PutPlan } from './put.js'

/** Files added at once (of which core's default 4 over one block). */
export const FOLDER_FILES_AT_ONCE = 16
/** Puts in flight per file (the mesh's push window is shared by the files at once). */
const PUTS_PER_FILE = 4
/**
 * Files smaller than this are added without a resume journal: re-sending a
 * few blocks costs less than the journal's synced writes, which dominated a
 * folder of many small files.
 */
export const JOURNAL_MIN_BYTES = 8 * 1024 * 1024

export interface FolderPutOptions extends PutOptions {
  followSymlinks?: boolean
}

export function treeInit (options: FolderPutOptions, signal: AbortSignal): TreeInit {
  return {
    followSymlinks: options.followSymlinks === true,
    onSkip: (path, why) => { logLine(`cairn: warning: skipped ${path}: ${why}`) },
    signal
  }
}

/**
 * One owner secret covers the whole folder: every block of every file and
 * folder node carries its tag, so `cairn rm FOLDER_LINK` (and expiry) take
 * the folder's files with it.
 */
export async function putFolder (
  client: MeshClient, root: FolderDirInput, plan: FolderPutOptions & PutPlan, info: HostInfo, signal: AbortSignal
): Promise<void> {
  const progress = createProgress(root.name, 0, progressEnabled(plan.json))
  const owner = (await newOwner()).secret
  let done = 0
  let resumedBytes = 0
  let total = 0
  try {
    const result = await addFolder(root, await meshSinkOf(client, plan, owner), {
      signal,
      concurrency: FOLDER_FILES_AT_ONCE,
      putConcurrency: PUTS_PER_FILE,
      addFile: async (file, _path, sink, fileSignal) => {
        const { input } = file as LocalFile
        total += input.size
        progress.setTotal(total)
        let last = 0
        const onProgress = (n: number): void => {
          done += n - last
          last = n
          progress.update(done)
        }
        if (input.size < JOURNAL_MIN_BYTES) {
          const meta = { name: file.name, type: file.type, mtime: file.mtime }
          return await addFile(file.read(), meta, sink, { signal: fileSignal, concurrency: PUTS_PER_FILE, onProgress })
        }
        const { added, resumedBytes: resumed, journal } = await addJournaled(client, input, async () => sink, fileSignal, onProgress)
        resumedBytes += resumed
        await journal.remove()
        return added
      }
    })
    progress.stop()
    await reportPut(client, root.name, result, owner, plan, info, { files: result.files, dirs: result.dirs, resumedBytes })
  } finally {
    progress.stop()
  }
}
