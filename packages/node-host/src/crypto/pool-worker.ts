import { CHUNK_SIZE, NONCE_SIZE, TAG_SIZE, type BlockAead } from '@cairn/core/crypto'
import { move, transferableSymbol, valueSymbol } from 'piscina'
import { nodeCryptoProvider } from './node-provider.js'
import { OUTPUT_AT, type PoolReply, type PoolTask } from './pool-task.js'

/*
 * A crypto pool worker (run by piscina, `pool-provider.ts`): the same
 * node:crypto code the main thread runs (`nodeCryptoProvider`), on the bytes
 * of one task buffer, which goes back to the main thread moved, not copied.
 */

/** Keys this worker has imported, latest last (a handful: one per file being read or written). */
const keys = new Map<number, BlockAead>()
const KEYS_KEPT = 8

async function keyFor (task: PoolTask): Promise<BlockAead> {
  let key = keys.get(task.keyId)
  if (key === undefined) {
    key = await nodeCryptoProvider.importAeadKey(task.key!)
    if (keys.size >= KEYS_KEPT) keys.delete(keys.keys().next().value!)
  } else {
    keys.delete(task.keyId)
  }
  keys.set(task.keyId, key)
  return key
}

async function perform (task: PoolTask): Promise<PoolReply> {
  const input = new Uint8Array(task.buffer, 0, task.length)
  const output = new Uint8Array(task.buffer, OUTPUT_AT)
  if (task.op === 'sha256') {
    output.set(await nodeCryptoProvider.sha256(input))
    return { ok: true, buffer: task.buffer, length: 32 }
  }
  const key = await keyFor(task)
  const count = task.nonces!.length / NONCE_SIZE
  if (task.op === 'seal') {
    const chunks = Array.from({ length: count }, (_, j) => input.subarray(j * CHUNK_SIZE, Math.min(input.length, (j + 1) * CHUNK_SIZE)))
    await key.sealChunks(task.nonces!, chunks, output, 0)
    return { ok: true, buffer: task.buffer, length: task.length + count * TAG_SIZE }
  }
  try {
    await key.openChunks(task.nonces!, input, output)
  } catch {
    output.fill(0)
    return { ok: false, buffer: task.buffer, length: 0 }
  }
  return { ok: true, buffer: task.buffer, length: task.length - count * TAG_SIZE }
}

/** The reply, with its buffer moved back to the main thread. */
export default async function run (task: PoolTask): Promise<unknown> {
  const reply = await perform(task)
  return move({
    get [transferableSymbol] () { return [reply.buffer] },
    get [valueSymbol] () { return reply }
  })
}
