/** The host's persistent Ed25519 identity, kept in its data dir (mode 0600). */
import { readFile } from 'node:fs/promises'
import { exportIdentity, generateIdentity, importIdentity, type Identity } from '@cairn/core'
import type { DataDirPaths } from './data-dir.js'
import { writePrivateFile } from './data-dir.js'

/** Load the identity from `paths.identity`, creating and saving one on first start. */
export async function loadOrCreateIdentity (paths: DataDirPaths): Promise<Identity> {
  let bytes: Uint8Array | undefined
  try {
    bytes = await readFile(paths.identity)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  if (bytes !== undefined) return await importIdentity(new Uint8Array(bytes))
  const identity = await generateIdentity({ extractable: true })
  await writePrivateFile(paths.identity, await exportIdentity(identity))
  return identity
}
