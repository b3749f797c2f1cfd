import { decode, encode } from 'cborg'
import { base32 } from 'multiformats/bases/base32'
import * as Digest from 'multiformats/hashes/digest'
import { identity as identityHash } from 'multiformats/hashes/identity'
import { InvalidKeyError } from '../errors.js'
import type { Identity } from './api.js'
import { bufferSource, utf8 } from './bytes.js'

/*
 * Node identity: an Ed25519 key pair (Web Crypto, Node 20 and Chromium).
 * The peer id is the base32 form of an identity multihash of the raw public
 * key, so the key can be recovered from the id and checked against `hello`.
 */

const ED25519 = 'Ed25519'
const PUBLIC_KEY_BYTES = 32
const IDENTITY_CODE = 0x00
/** Bytes of an identity multihash of an Ed25519 key: code, length, key. */
const PEER_ID_MULTIHASH_BYTES = 2 + PUBLIC_KEY_BYTES

export interface GenerateIdentityInit {
  /** Allow `exportIdentity` (hosts persist the key; browsers keep it non-extractable). */
  extractable?: boolean
}

export async function generateIdentity (init: GenerateIdentityInit = {}): Promise<Identity> {
  const pair = await crypto.subtle.generateKey(ED25519, init.extractable ?? false, ['sign', 'verify']) as CryptoKeyPair
  const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey))
  return { peerId: peerIdFromPublicKey(publicKey), publicKey, privateKey: pair.privateKey }
}

export function peerIdFromPublicKey (publicKey: Uint8Array): string {
  if (publicKey.length !== PUBLIC_KEY_BYTES) throw new InvalidKeyError('Ed25519 public key must be 32 bytes')
  return base32.encode(identityHash.digest(publicKey).bytes)
}

/** The raw public key inside a peer id; throws `InvalidKeyError` if it holds none. */
export function publicKeyFromPeerId (peerId: string): Uint8Array {
  let digest
  try {
    digest = Digest.decode(base32.decode(peerId))
  } catch (cause) {
    throw new InvalidKeyError('malformed peer id', { cause })
  }
  if (digest.code !== IDENTITY_CODE || digest.bytes.length !== PEER_ID_MULTIHASH_BYTES) {
    throw new InvalidKeyError('peer id does not hold an Ed25519 key')
  }
  return digest.digest
}

/** CBOR `{ privateKey: pkcs8, publicKey: raw }`; needs an extractable key. */
export async function exportIdentity (id: Identity): Promise<Uint8Array> {
  const privateKey = new Uint8Array(await crypto.subtle.exportKey('pkcs8', id.privateKey))
  return encode({ privateKey, publicKey: id.publicKey })
}

export interface ImportIdentityInit {
  /** Keep the imported private key extractable (default false). */
  extractable?: boolean
}

/** Inverse of `exportIdentity`; checks that the two keys belong together. */
export async function importIdentity (bytes: Uint8Array, init: ImportIdentityInit = {}): Promise<Identity> {
  let fields: { privateKey?: unknown, publicKey?: unknown }
  try {
    fields = decode(bytes) as typeof fields
  } catch (cause) {
    throw new InvalidKeyError('malformed identity', { cause })
  }
  const { privateKey: pkcs8, publicKey } = fields ?? {}
  if (!(pkcs8 instanceof Uint8Array) || !(publicKey instanceof Uint8Array)) {
    throw new InvalidKeyError('malformed identity')
  }
  const peerId = peerIdFromPublicKey(publicKey)
  let privateKey: CryptoKey
  try {
    privateKey = await crypto.subtle.importKey('pkcs8', bufferSource(pkcs8), ED25519, init.extractable ?? false, ['sign'])
  } catch (cause) {
    throw new InvalidKeyError('malformed Ed25519 private key', { cause })
  }
  const probe = utf8('cairn/v1/identity-check')
  const sig = await crypto.subtle.sign(ED25519, privateKey, bufferSource(probe))
  if (!await verifySignature(publicKey, new Uint8Array(sig), probe)) {
    throw new InvalidKeyError('private key does not match public key')
  }
  return { peerId, publicKey, privateKey }
}

export async function sign (id: Identity, data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign(ED25519, id.privateKey, bufferSource(data)))
}

/** False for a bad signature or a key Web Crypto refuses. */
export async function verifySignature (publicKey: Uint8Array, sig: Uint8Array, data: Uint8Array): Promise<boolean> {
  try {
    const key = await crypto.subtle.importKey('raw', bufferSource(publicKey), ED25519, false, ['verify'])
    return await crypto.subtle.verify(ED25519, key, bufferSource(sig), bufferSource(data))
  } catch {
    return false
  }
}
