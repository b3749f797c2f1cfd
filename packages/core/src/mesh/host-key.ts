import { base64url } from 'multiformats/bases/base64'
import { InvalidArgumentError } from '../errors.js'
import { bufferSource, randomBytes, utf8 } from './bytes.js'
import { memoAsync } from './memo.js'
import { JOIN_KDF_ITERATIONS } from './transcript.js'

/*
 * A mesh's two credentials (see docs/reliability.md, "Hosts and members").
 *
 * The HOST KEY is a secret only hosts hold: a host generates it into its data
 * dir, and other hosts adopt it from a `--peer` URL. Only a peer that proves
 * it in the handshake is taken as a host (chosen as a replica, believed in
 * gossip, allowed to send `ice`).
 *
 * The MEMBER TOKEN is what join URLs and share links carry: tabs and clients
 * prove it, hosts too. Every host derives it from the host key, so any host
 * can check a member without a list of tokens, and no member can go back:
 *
 *   master      = PBKDF2-SHA-256(UTF-8 host key, salt "cairn/v3/host-key", JOIN_KDF_ITERATIONS, 256 bits)
 *   memberToken = base64url(HKDF-SHA-256(master, salt "", info "cairn/v3/member-token", 128 bits))
 *   proofKey    = HMAC-SHA-256 key HKDF-SHA-256(master, salt "", info "cairn/v3/host-proof", 256 bits)
 *
 * The slow first step keeps a chosen (weak) host key as costly to guess from
 * a member token, or from an observed host proof, as a join token is from an
 * observed MAC. All of it is Web Crypto; nothing hand-made.
 */

const HOST_KEY_SALT = utf8('cairn/v3/host-key')
const MEMBER_TOKEN_INFO = utf8('cairn/v3/member-token')
const HOST_PROOF_INFO = utf8('cairn/v3/host-proof')
/** Bytes of a generated host key (base64url, 43 characters). */
export const HOST_KEY_BYTES = 32
/** Bytes of a member token (base64url, 22 characters). */
const MEMBER_TOKEN_BYTES = 16
/** Longest host key accepted (a chosen one is a passphrase; generated ones are 43 characters). */
export const MAX_HOST_KEY_LENGTH = 256

export interface HostSecrets {
  /** The join token members present. */
  memberToken: string
  /** The HMAC key of the handshake's host proof (not extractable). */
  proofKey: CryptoKey
}

/** Host secrets derived in this process, by host key: a node, or many in one test, pays the KDF once. */
const derived = memoAsync(8, derive)

/** A fresh host key: 256 random bits, base64url. */
export function generateHostKey (): string {
  return base64url.baseEncode(randomBytes(HOST_KEY_BYTES))
}

/** The member token and host-proof key of `hostKey` (slow once per process, then cached). */
export async function deriveHostSecrets (hostKey: string): Promise<HostSecrets> {
  if (hostKey.length === 0 || hostKey.length > MAX_HOST_KEY_LENGTH) {
    throw new InvalidArgumentError(`a host key has 1..${MAX_HOST_KEY_LENGTH} characters`)
  }
  return await derived(hostKey)
}

/** The member token (join token) of the mesh whose host key is `hostKey`. */
export async function deriveMemberToken (hostKey: string): Promise<string> {
  return (await deriveHostSecrets(hostKey)).memberToken
}

async function derive (hostKey: string): Promise<HostSecrets> {
  const password = await crypto.subtle.importKey('raw', bufferSource(utf8(hostKey)), 'PBKDF2', false, ['deriveBits'])
  const master = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt: bufferSource(HOST_KEY_SALT), iterations: JOIN_KDF_ITERATIONS }, password, 256)
  const hkdf = await crypto.subtle.importKey('raw', master, 'HKDF', false, ['deriveBits', 'deriveKey'])
  const expand = (info: Uint8Array): HkdfParams => ({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: bufferSource(info) })
  const token = new Uint8Array(await crypto.subtle.deriveBits(expand(MEMBER_TOKEN_INFO), hkdf, MEMBER_TOKEN_BYTES * 8))
  const proofKey = await crypto.subtle.deriveKey(expand(HOST_PROOF_INFO), hkdf, { name: 'HMAC', hash: 'SHA-256', length: 256 }, false, ['sign', 'verify'])
  return { memberToken: base64url.baseEncode(token), proofKey }
}
