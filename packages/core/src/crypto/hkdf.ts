import { OutOfRangeError } from '../errors.js'
import { bufferSource } from './params.js'

const HASH = 'SHA-512'
const HASH_SIZE = 64

/**
 * HKDF-Expand (RFC 5869, section 2.3) with HMAC-SHA-512, built on Web Crypto's
 * HMAC because its HKDF always runs the Extract step first.
 *
 *   T(0) = empty, T(i) = HMAC(prk, T(i-1) ‖ info ‖ i), OKM = first `length` bytes of T(1) ‖ T(2) ‖ …
 */
export async function hkdfExpandSha512 (prk: Uint8Array, info: Uint8Array, length: number): Promise<Uint8Array> {
  if (!Number.isSafeInteger(length) || length < 0 || length > 255 * HASH_SIZE) {
    throw new OutOfRangeError(`HKDF-Expand output length out of range: ${length}`)
  }
  const key = await crypto.subtle.importKey('raw', bufferSource(prk), { name: 'HMAC', hash: HASH }, false, ['sign'])
  const okm = new Uint8Array(Math.ceil(length / HASH_SIZE) * HASH_SIZE)
  const input = new Uint8Array(HASH_SIZE + info.length + 1)
  let previous = 0 // bytes of T(i-1) at the front of `input`
  for (let i = 1; (i - 1) * HASH_SIZE < length; i++) {
    input.set(info, previous)
    input[previous + info.length] = i
    const block = new Uint8Array(await crypto.subtle.sign('HMAC', key, input.subarray(0, previous + info.length + 1)))
    okm.set(block, (i - 1) * HASH_SIZE)
    input.set(block, 0)
    previous = HASH_SIZE
  }
  return okm.subarray(0, length)
}
