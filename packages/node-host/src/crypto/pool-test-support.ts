import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { createCryptoPool, type CryptoPool, type CryptoPoolInit } from './pool-provider.js'

/**
 * The built worker module: tests run this package's TypeScript sources, but a
 * worker thread runs JavaScript, so the pool's workers run `dist/` (`npm test`
 * builds it first).
 */
export const BUILT_WORKER = new URL('../../dist/crypto/pool-worker.js', import.meta.url)

/** A crypto pool whose workers run the built worker module; fails loudly if it is not built. */
export function testCryptoPool (init: CryptoPoolInit = {}): CryptoPool {
  if (!existsSync(BUILT_WORKER)) throw new Error(`${fileURLToPath(BUILT_WORKER)} is missing: run npm run build first`)
  return createCryptoPool({ filename: BUILT_WORKER, ...init })
}
