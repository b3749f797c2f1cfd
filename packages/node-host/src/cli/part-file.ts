/**
 * Where `get -o PATH` writes: a part file next to PATH, kept across failures
 * so that the same command run again resumes, and renamed to PATH only once
 * complete (never a partial file under the final name).
 *
 *   .<name>.<tag>.cairn-part         plaintext at its final offsets (sparse)
 *   .<name>.<tag>.cairn-part.state   which whole blocks are written, mode 0600
 *
 * `tag` = SHA-256("cairn-part" ‖ root ‖ PATH), 16 hex digits: one part file per
 * (file, destination), and nothing derived from the key. The state file holds
 * one line of JSON `{"v":2,"root","size"}`, then a 4-byte record
 * `u32be index` per block whose plaintext was written (appended only after
 * it was). On resume every recorded block is read back and checked by
 * `check` (`OpenedFile.matchesBlock`: sealed again under the link's key, it
 * must hash to the block's id): only blocks that pass are reused (a tampered
 * or torn block is fetched again), and a state file for another root, size
 * or version (v1 kept a MAC per block, which cost a second hash of every
 * block downloaded) is ignored.
 * While open, the part file holds the output path's lock (`output-lock.ts`):
 * a second get to the same path refuses instead of writing alongside.
 */
import { constants as fs } from 'node:fs'
import { createHash } from 'node:crypto'
import { lstat, open, rename, rm, type FileHandle } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { CairnError, type BlockId } from '@cairn/core'
import { BLOCK_PLAINTEXT, blockCount } from '@cairn/core/crypto'
import { LocalFileError, writePrivateFile } from '../config/index.js'
import { alreadyExists, placeNew } from './output-file.js'
import { lockOutput, type OutputLock } from './output-lock.js'
import { systemErrorText } from './system-error.js'

const STATE_VERSION = 2
/** Bytes per record in the state file: a block's `u32be index`. */
export const STATE_RECORD_BYTES = 4

export interface PartFileInit {
  /** The final path. */
  path: string
  root: BlockId
  /**
   * Whether bytes kept from an earlier attempt are block `index`'s plaintext
   * (`OpenedFile.matchesBlock`); asked only on resume. A typed error it throws
   * (aborted, the mesh did not answer) fails `open` as it is.
   */
  check: (index: number, plaintext: Uint8Array) => Promise<boolean>
  /** Plaintext size (from the verified manifest). */
  size: number
  /** Replace a file already at `path` (default: refuse with `LocalFileError`). */
  overwrite?: boolean
  /** Reuse a part file left by an earlier attempt (default true); false starts afresh. */
  resume?: boolean
}

/** Runs of blocks still to fetch, `[first, last]` inclusive. */
export interface BlockRun { first: number, last: number }

export function partFilePaths (path: string, root: BlockId): { part: string, state: string } {
  const tag = createHash('sha256').update('cairn-part\0').update(root.bytes).update('\0').update(path).digest('hex').slice(0, 16)
  const part = join(dirname(path), `.${basename(path)}.${tag}.cairn-part`)
  return { part, state: `${part}.state` }
}

function localError (path: string, cause: unknown): LocalFileError {
  return new LocalFileError(`cannot write ${path}: ${systemErrorText(cause)}`, { cause })
}

function stateHeader (root: BlockId, size: number): string {
  return `${JSON.stringify({ v: STATE_VERSION, root: root.toString(), size })}\n`
}

export class PartFile {
  readonly path: string
  readonly part: string
  readonly state: string
  readonly size: number
  readonly blocks: number
  /** Plaintext bytes found intact in a part file from an earlier attempt. */
  resumedBytes = 0
  readonly #done: Uint8Array
  readonly #check: (index: number, plaintext: Uint8Array) => Promise<boolean>
  readonly #overwrite: boolean
  #handle: FileHandle | undefined
  #stateHandle: FileHandle | undefined
  #lock: OutputLock | undefined

  private constructor (init: PartFileInit) {
    this.path = init.path
    const { part, state } = partFilePaths(init.path, init.root)
    this.part = part
    this.state = state
    this.size = init.size
    this.blocks = blockCount(init.size)
    this.#done = new Uint8Array(this.blocks)
    this.#check = init.check
    this.#overwrite = init.overwrite === true
  }

  /** Open (and verify) or create the part file for `init.path`. */
  static async open (init: PartFileInit): Promise<PartFile> {
    const file = new PartFile(init)
    // Checked up front too, so a refused download does not transfer the whole file first.
    if (!file.#overwrite && await lstat(init.path).then(() => true, () => false)) throw alreadyExists(init.path)
    file.#lock = await lockOutput(init.path)
    try {
      if (init.resume === false) await file.#discardFiles()
      file.#handle = await open(file.part, fs.O_RDWR | fs.O_CREAT, 0o644)
      const kept = await file.#verify(stateHeader(init.root, init.size))
      await file.#handle.truncate(init.size)
      // Rewrite the state with the blocks that checked out, then append to it.
      const records = Buffer.alloc(kept.length * STATE_RECORD_BYTES)
      kept.forEach((record, i) => { record.copy(records, i * STATE_RECORD_BYTES) })
      await writePrivateFile(file.state, Buffer.concat([Buffer.from(stateHeader(init.root, init.size)), records]))
      file.#stateHandle = await open(file.state, 'a', 0o600)
    } catch (cause) {
      await file.#close()
      await file.#unlock()
      // A typed error (the check's: aborted, the mesh timed out) says what happened; the rest is the file system's.
      throw cause instanceof CairnError ? cause : localError(init.path, cause)
    }
    return file
  }

  /** Plaintext range of block `index`. */
  range (index: number): { start: number, end: number } {
    const start = index * BLOCK_PLAINTEXT
    return { start, end: Math.min(this.size, start + BLOCK_PLAINTEXT) }
  }

  isDone (index: number): boolean {
    return this.#done[index] === 1
  }

  /** Blocks not yet written, as runs of consecutive indexes. */
  missing (): BlockRun[] {
    const runs: BlockRun[] = []
    for (let i = 0; i < this.blocks; i++) {
      if (this.#done[i] === 1) continue
      const last = runs.at(-1)
      if (last !== undefined && last.last === i - 1) last.last = i
      else runs.push({ first: i, last: i })
    }
    return runs
  }

  /** Write `chunks` at plaintext offset `position` (one writev, short writes finished). */
  async write (position: number, chunks: readonly Uint8Array[]): Promise<void> {
    const handle = this.#open()
    try {
      const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0)
      let done = (await handle.writev(chunks as Uint8Array[], position)).bytesWritten
      if (done === total) return
      let at = position
      for (const chunk of chunks) {
        if (done >= chunk.length) {
          done -= chunk.length
          at += chunk.length
          continue
        }
        for (let offset = done; offset < chunk.length;) {
          offset += (await handle.write(chunk, offset, chunk.length - offset, at + offset)).bytesWritten
        }
        at += chunk.length
        done = 0
      }
    } catch (cause) {
      throw localError(this.path, cause)
    }
  }

  /** Record blocks whose plaintext has been written. */
  async markDone (blocks: readonly number[]): Promise<void> {
    if (blocks.length === 0) return
    const records = Buffer.alloc(blocks.length * STATE_RECORD_BYTES)
    blocks.forEach((index, i) => { records.writeUInt32BE(index, i * STATE_RECORD_BYTES) })
    const state = this.#stateHandle
    if (state === undefined) throw new Error('part file closed')
    try {
      await state.write(records)
    } catch (cause) {
      throw localError(this.path, cause)
    }
    for (const index of blocks) this.#done[index] = 1
  }

  /**
   * Sync and move the finished file to its path; removes the state file and
   * the lock. `mtime` (ms) is set before the move, so the file never shows under
   * its name with another time (a folder get takes name, size and mtime as done).
   */
  async commit (mtime?: number): Promise<string> {
    try {
      if (this.#done.some(done => done !== 1)) throw new Error('part file incomplete')
      const handle = this.#open()
      if (mtime !== undefined) await handle.utimes(new Date(), new Date(mtime))
      await handle.sync()
      await this.#close()
      // Complete: nothing to resume. The state and the lock go before the move, so a
      // crash after it leaves nothing beside the file (one just before costs a refetch).
      await rm(this.state, { force: true })
      await this.#unlock()
      if (this.#overwrite) await rename(this.part, this.path)
      else await placeNew(this.part, this.path)
    } catch (cause) {
      await this.#close()
      // Refused at the last step (a file appeared meanwhile): nothing to resume into.
      if (cause instanceof LocalFileError) await this.#discardFiles()
      throw cause instanceof LocalFileError ? cause : localError(this.path, cause)
    } finally {
      await this.#unlock()
    }
    return this.path
  }

  /** Stop, keeping the part and state files for the next attempt. */
  async keep (): Promise<void> {
    await this.#close()
    await this.#unlock()
  }

  async #unlock (): Promise<void> {
    const lock = this.#lock
    this.#lock = undefined
    await lock?.release()
  }

  #open (): FileHandle {
    if (this.#handle === undefined) throw new Error('part file closed')
    return this.#handle
  }

  async #close (): Promise<void> {
    const handles = [this.#handle, this.#stateHandle]
    this.#handle = undefined
    this.#stateHandle = undefined
    for (const handle of handles) await handle?.close().catch(() => {})
  }

  async #discardFiles (): Promise<void> {
    await rm(this.part, { force: true })
    await rm(this.state, { force: true })
  }

  /** The records of blocks that are intact in the part file; marks them done. */
  async #verify (header: string): Promise<Buffer[]> {
    let state: Buffer
    try {
      const handle = await open(this.state, 'r')
      try {
        state = await handle.readFile()
      } finally {
        await handle.close()
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw err
    }
    const newline = state.indexOf(0x0a)
    if (newline < 0 || state.subarray(0, newline + 1).toString('utf8') !== header) return []
    const handle = this.#open()
    const partSize = (await handle.stat()).size
    const kept: Buffer[] = []
    const buffer = Buffer.alloc(Math.min(BLOCK_PLAINTEXT, this.size)) // a block's plaintext, read back whole
    for (let at = newline + 1; at + STATE_RECORD_BYTES <= state.length; at += STATE_RECORD_BYTES) {
      const record = state.subarray(at, at + STATE_RECORD_BYTES)
      const index = record.readUInt32BE(0)
      if (index >= this.blocks || this.#done[index] === 1) continue
      const { start, end } = this.range(index)
      if (end > partSize) continue
      let read = 0
      while (read < end - start) {
        const { bytesRead } = await handle.read(buffer, read, end - start - read, start + read)
        if (bytesRead === 0) break
        read += bytesRead
      }
      if (read !== end - start || !await this.#check(index, buffer.subarray(0, read))) continue
      this.#done[index] = 1
      this.resumedBytes += end - start
      kept.push(Buffer.from(record))
    }
    return kept
  }
}
