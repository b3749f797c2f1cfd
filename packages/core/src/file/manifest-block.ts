/**
 * Manifest blocks on the wire: each is one whole Cobblestone message (header,
 * then sealed chunks) under the file key and the manifest context, with a
 * fresh salt, and must fit in one block.
 */
import type { BlockId } from '../block/id.js'
import { verifiedSource, type BlockSource, type GetBlock } from '../block/source.js'
import { collectBytes } from '../bytes.js'
import { decryptStream, encryptStream } from '../crypto/index.js'
import { ManifestError } from '../errors.js'
import type { AbortOptions } from '../store/block-store.js'
import { MAX_BLOCK_SIZE } from '../crypto/geometry.js'
import { MANIFEST_CONTEXT } from './contexts.js'

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

/** Fetch, verify against its id (once: see `verifiedSource`), and decrypt a manifest block. */
export async function loadManifestBlock (
  id: BlockId, key: Uint8Array, source: BlockSource | GetBlock, options: AbortOptions = {}
): Promise<Uint8Array> {
  const block = await verifiedSource(source).get(id, { ...options, immutable: true })
  if (block.length > MAX_BLOCK_SIZE) throw new ManifestError(`manifest block ${id.toString()} larger than one block`)
  return await openManifestBlock(key, block)
}

async function * once (bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes
}

