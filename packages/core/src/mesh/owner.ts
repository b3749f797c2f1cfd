/**
 * Owner secrets: 32 random bytes made per file by whoever adds it, kept by
 * them (the CLI's history, a tab's database) and never sent until a removal.
 * Hosts see only the owner tag, SHA-256 of the secret (core `store/record.ts`).
 */
import { base64url } from 'multiformats/bases/base64'
import { cryptoProvider } from '../crypto/provider.js'
import { OwnerError } from '../errors.js'

export const OWNER_SECRET_LENGTH = 32

/** A fresh owner secret and its tag. */
export async function newOwner (): Promise<{ secret: Uint8Array, tag: Uint8Array }> {
  const secret = crypto.getRandomValues(new Uint8Array(OWNER_SECRET_LENGTH))
  return { secret, tag: await ownerTag(secret) }
}

export async function ownerTag (secret: Uint8Array): Promise<Uint8Array> {
  return await cryptoProvider().sha256(secret)
}

/** The text form of an owner secret: 43 characters of unpadded base64url. */
export function formatOwnerSecret (secret: Uint8Array): string {
  return base64url.baseEncode(secret)
}

/** An owner secret from its text form; `OwnerError` for anything else (a wrong secret, as far as the user is concerned). */
export function parseOwnerSecret (text: string): Uint8Array {
  let secret: Uint8Array | undefined
  try {
    secret = /^[A-Za-z0-9_-]{43}$/.test(text) ? base64url.baseDecode(text) : undefined
  } catch {}
  if (secret?.length !== OWNER_SECRET_LENGTH) throw new OwnerError('not an owner secret (43 base64url characters, as put --json printed it)')
  return secret
}
