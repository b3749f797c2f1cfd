import { InvalidArgumentError, InvalidKeyError, OutOfRangeError } from '../errors.js'
import { DEFAULT_AEAD, DEFAULT_CONCURRENCY, type Aead, type CobblestoneInit } from './constants.js'
import { SALT_SIZE } from './geometry.js'

interface AeadParams {
  /** The name in the IANA AEAD registry, which goes into the HKDF info. */
  readonly ianaName: string
  readonly keySize: number
}

const AEADS: Readonly<Record<Aead, AeadParams>> = {
  'AES-128-GCM': { ianaName: 'AEAD_AES_128_GCM', keySize: 16 },
  'AES-256-GCM': { ianaName: 'AEAD_AES_256_GCM', keySize: 32 }
}

export function aeadParams (aead: Aead = DEFAULT_AEAD): AeadParams {
  const params = Object.hasOwn(AEADS, aead) ? AEADS[aead] : undefined
  if (params === undefined) throw new InvalidArgumentError(`unsupported AEAD: ${String(aead)}`)
  return params
}

/** Throws InvalidKeyError unless `key` has the AEAD's key size. */
export function checkKey (key: Uint8Array, aead: Aead | undefined, what = 'input key'): void {
  const { keySize } = aeadParams(aead)
  if (!(key instanceof Uint8Array) || key.length !== keySize) {
    throw new InvalidKeyError(`${what} must be ${keySize} bytes for ${aead ?? DEFAULT_AEAD}`)
  }
}

export function resolveConcurrency (init: CobblestoneInit | undefined): number {
  const concurrency = init?.concurrency ?? DEFAULT_CONCURRENCY
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw new OutOfRangeError(`concurrency must be a positive integer, got ${concurrency}`)
  }
  return concurrency
}

export function resolveSalt (init: CobblestoneInit | undefined): Uint8Array {
  const salt = init?.salt ?? crypto.getRandomValues(new Uint8Array(SALT_SIZE))
  if (salt.length !== SALT_SIZE) throw new InvalidArgumentError(`salt must be ${SALT_SIZE} bytes`)
  return salt
}

/**
 * Web Crypto's typings want ArrayBuffer-backed views; ours may be typed with
 * ArrayBufferLike. Same object, no copy.
 */
export function bufferSource (bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes as Uint8Array<ArrayBuffer>
}
