/**
 * Manifest blocks on the wire: each is one whole Cobblestone message (header,
 * then sealed chunks) under the file key and the manifest context, with a
 * fresh salt, and must fit in one block.
 */
import { verifyBlock, type BlockId } from '../block/id.js'
import { collectBytes } from '../bytes.js'
import { decryptStream, encryptStream } from '../crypto/index.js'
import { ManifestError } from '../errors.js'
import type { AbortOptions } from '../store/block-store.js'
import { MAX_BLOCK_SIZE } from '../wire/limits.js'
import { MANIFEST_CONTEXT } from './layout.js'

export interface GetBlockOptions extends AbortOptions {
  /**
   * Always true from the read pipelines: they only read a fetched block
   * (verify, decrypt), never modify or hand it out, so a `getBlock` over a
   * store that copies on `get` may pass this on to skip the copy
   * (`MemoryBlockStore` takes the same option).
   */
  immutable?: boolean
}

/** Fetches a block by id; the bytes are not trusted (they are verified here). */
export type GetBlock = (id: BlockId, options?: GetBlockOptions) => Promise<Uint8Array>

const CONTEXT = new TextEncoder().encode(MANIFEST_CONTEXT)

export async function sealManifestBlock (key: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array> {
  const block = await collectBytes(encryptStream(key, CONTEXT, once(plaintext)))
  if (block.length > MAX_BLOCK_SIZE) throw new ManifestError(`manifest block of ${block.length} bytes exceeds one block`)
  return block
}

/** The plaintext of a manifest block; `DecryptionError` for a wrong key or tampered bytes. */
export async function openManifestBlock (key: Uint8Array, block: Uint8Array): Promise<Uint8Array> {
  if (block.length > MAX_BLOCK_SIZE) throw new ManifestError('manifest block larger than one block')
  return await collectBytes(decryptStream(key, CONTEXT, once(block)))
}

/** Fetch, verify against its id, and decrypt a manifest block. */
export async function loadManifestBlock (
  id: BlockId, key: Uint8Array, getBlock: GetBlock, options: AbortOptions = {}
): Promise<Uint8Array> {
  const block = await getBlock(id, { ...options, immutable: true })
  if (block.length > MAX_BLOCK_SIZE) throw new ManifestError(`manifest block ${id.toString()} larger than one block`)
  await verifyBlock(id, block)
  return await openManifestBlock(key, block)
}

async function * once (bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes
}

