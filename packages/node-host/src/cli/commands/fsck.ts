/**
 * `cairn fsck`: re-hash every block in a data dir's store; corrupt blocks are
 * moved to `blocks/quarantine/`. Prints the counts and the ids of corrupt
 * blocks; exits 8 (INTEGRITY) if any were found. Refuses to run while a host
 * uses the data dir (opening the store clears leftovers of interrupted writes,
 * which would break the live host's writes in progress).
 */
import { stat } from 'node:fs/promises'
import { DEFAULT_DATA_DIR, LocalFileError, UsageError, dataDirPaths, readHostFile } from '../../config/index.js'
import { FsBlockStore } from '../../store/fs.js'
import { EXIT } from '../exit-codes.js'
import { logLine, printJson, printLine } from '../output.js'
import { createProgress, progressEnabled } from '../progress.js'

export interface FsckOptions {
  data?: string
  json?: boolean
}

export async function fsckCommand (options: FsckOptions): Promise<number> {
  const paths = dataDirPaths(options.data ?? DEFAULT_DATA_DIR)
  const info = await stat(paths.blocks).catch(() => undefined)
  if (info?.isDirectory() !== true) throw new LocalFileError(`no block store in ${paths.root}`)
  const host = await readHostFile(paths)
  if (host !== undefined) throw new UsageError(`a host (pid ${host.pid}) is using ${paths.root}; stop it before fsck`)
  const store = await FsBlockStore.open(paths.blocks)
  const stats = await store.stats()
  const progress = createProgress('fsck', stats.blocks, progressEnabled(options.json))
  let result
  try {
    result = await store.fsck({ onProgress: n => progress.update(n) })
  } finally {
    progress.stop()
    await store.close()
  }
  if (options.json === true) {
    printJson({ checked: result.checked, corrupt: result.corrupt })
  } else {
    printLine(`checked ${result.checked} blocks, ${result.corrupt.length} corrupt`)
    for (const id of result.corrupt) printLine(`corrupt ${id} (moved to ${paths.blocks}/quarantine/)`)
  }
  if (result.corrupt.length === 0) return EXIT.OK
  // Like every failure, exit 8 comes with its one-line reason on stderr.
  const n = result.corrupt.length
  logLine(`cairn: fsck found ${n} corrupt block${n === 1 ? '' : 's'} of ${result.checked} (moved to ${paths.blocks}/quarantine/)`)
  return EXIT.INTEGRITY
}
