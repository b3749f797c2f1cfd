/**
 * Manifest blocks on the wire: each is one whole Cobblestone message (header,
 * then sealed chunks) under the file key and the manifest context, and must
 * fit in one block. Its salt is derived from the content salt and the block's
 * place under the file key (`manifestSalt`): distinct for every manifest block of a file, and the
 * same again when an interrupted add of the same file resumes with the same
 * key and content salt, so that it seals the same manifest.
 */
import type { BlockId } from '../block/id.js'
import { verifiedSource, type BlockSource, type GetBlock } from '../block/source.js'
import { collectBytes } from '../bytes.js'
import { SALT_SIZE } from '../crypto/index.js'
import { decryptStream, encryptStream } from '../crypto/stream.js'
import { hkdfExpandSha512 } from '../crypto/hkdf.js'
import { ManifestError } from '../errors.js'
import type { AbortOptions } from '../store/block-store.js'
import { MAX_BLOCK_SIZE } from '../crypto/geometry.js'
import { MANIFEST_CONTEXT } from './contexts.js'

const CONTEXT = new TextEncoder().encode(MANIFEST_CONTEXT)

const SALT_LABEL = new TextEncoder().encode('cairn/v1/manifest-salt')

/**
 * The salt of manifest block `index` (continuations 0…k−1, then the root):
 * HKDF-Expand-SHA-512(file key, label ‖ content salt ‖ u32be index), 24 bytes.
 */
export async function manifestSalt (key: Uint8Array, contentSalt: Uint8Array, index: number): Promise<Uint8Array> {
  const info = new Uint8Array(SALT_LABEL.length + contentSalt.length + 4)
  info.set(SALT_LABEL, 0)
  info.set(contentSalt, SALT_LABEL.length)
  new DataView(info.buffer).setUint32(SALT_LABEL.length + contentSalt.length, index)
  return await hkdfExpandSha512(key, info, SALT_SIZE)
}

/** Seal a manifest block under `key` (with `salt`; default a random one). */
export async function sealManifestBlock (key: Uint8Array, plaintext: Uint8Array, salt?: Uint8Array): Promise<Uint8Array> {
  const block = await collectBytes(encryptStream(key, CONTEXT, once(plaintext), salt === undefined ? {} : { salt }))
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

