import { aeadParams } from './params.js'
import { hkdfExpandSha512 } from './hkdf.js'
import type { Aead } from './constants.js'
import { COMMITMENT_SIZE, NONCE_SIZE, SALT_SIZE } from './geometry.js'

const LABEL = new TextEncoder().encode('c2sp.org/chunked-encryption@v1+')

export interface MessageKeys {
  aeadKey: Uint8Array
  baseNonce: Uint8Array
  commitment: Uint8Array
}

/**
 * key ‖ base nonce ‖ commitment = HKDF-Expand-SHA-512(prk = input key,
 *   info = "c2sp.org/chunked-encryption@v1+" ‖ aead ‖ 0x00 ‖ salt ‖ context)
 * The caller has checked the key and salt lengths.
 */
export async function deriveMessageKeys (
  inputKey: Uint8Array, salt: Uint8Array, context: Uint8Array, aead: Aead | undefined
): Promise<MessageKeys> {
  const { ianaName, keySize } = aeadParams(aead)
  const name = new TextEncoder().encode(ianaName)
  const info = new Uint8Array(LABEL.length + name.length + 1 + SALT_SIZE + context.length)
  info.set(LABEL, 0)
  info.set(name, LABEL.length)
  info.set(salt, LABEL.length + name.length + 1) // the 0x00 separator is already zero
  info.set(context, LABEL.length + name.length + 1 + SALT_SIZE)
  const okm = await hkdfExpandSha512(inputKey, info, keySize + NONCE_SIZE + COMMITMENT_SIZE)
  return {
    aeadKey: okm.subarray(0, keySize),
    baseNonce: okm.subarray(keySize, keySize + NONCE_SIZE),
    commitment: okm.subarray(keySize + NONCE_SIZE)
  }
}

/** Compares without an early exit, so timing does not tell where they differ. */
export function equalBytes (a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number)
  return diff === 0
}
