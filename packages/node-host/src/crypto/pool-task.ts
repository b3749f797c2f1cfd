import { MAX_BLOCK_SIZE } from '@cairn/core/crypto'

/**
 * What the main thread and a crypto pool worker pass each other: one
 * transferable buffer per task, the input at 0 and the output at
 * `OUTPUT_AT` (each region holds a whole sealed block), so a task moves no
 * bytes but the ones the main thread copies in and out.
 */
export const OUTPUT_AT = MAX_BLOCK_SIZE
export const TASK_BUFFER_SIZE = 2 * MAX_BLOCK_SIZE

export interface PoolTask {
  op: 'seal' | 'open' | 'sha256'
  /** The main thread's id for `key`, so a worker imports each key once. */
  keyId: number
  /** The raw AES-GCM key (seal, open). */
  key?: Uint8Array
  /** One nonce per chunk (seal, open). */
  nonces?: Uint8Array
  buffer: ArrayBuffer
  /** Bytes of input at 0: plaintext chunks back to back (seal), sealed chunks (open), the bytes to hash. */
  length: number
}

export interface PoolReply {
  /** False only when a chunk failed to open (its tag did not verify). */
  ok: boolean
  buffer: ArrayBuffer
  /** Bytes of output at `OUTPUT_AT`. */
  length: number
}
