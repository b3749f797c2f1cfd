import type { Identity } from './api.js'
import { bufferSource, concatBytes, lengthPrefixed, utf8 } from './bytes.js'
import { sign, verifySignature } from './identity.js'
import { memoAsync } from './memo.js'

/*
 * The cryptography of the handshake. The transcript binds both `hello` frames
 * (exactly the bytes on the wire, initiator's first, each with its sender's
 * fresh nonce) and, when the transport has one, both DTLS fingerprints. Each
 * side proves its key with an Ed25519 signature and its membership with an
 * HMAC keyed from the join token, both over (side label ‖ transcript) so one
 * side's proof never serves the other, nor another connection.
 *
 * The HMAC key is PBKDF2-SHA-256 of the token (`JOIN_KDF_ITERATIONS` rounds,
 * fixed protocol salt): a MAC seen on the wire can only be checked against a
 * guessed token by paying for that many rounds per guess, where a bare hash
 * made it ~10^4-10^6 guesses per second per core. A node derives it once.
 */

const HANDSHAKE_TAG = utf8('cairn/v2/handshake')
/** PBKDF2 salt of the join key: fixed and versioned, so every node derives the same key. */
const JOIN_SALT = utf8('cairn/v2/join')
/** PBKDF2-SHA-256 rounds for the join key (OWASP's 2023 figure; ~0.2 s on a laptop core). */
export const JOIN_KDF_ITERATIONS = 600_000

export type Side = 'initiator' | 'responder'

export interface TranscriptInput {
  initiatorHello: Uint8Array
  responderHello: Uint8Array
  /** DTLS fingerprints, initiator's first (WebRTC only). */
  binding?: { initiator: Uint8Array, responder: Uint8Array }
}

export async function transcriptHash (input: TranscriptInput): Promise<Uint8Array> {
  const parts = [HANDSHAKE_TAG, lengthPrefixed(input.initiatorHello), lengthPrefixed(input.responderHello)]
  if (input.binding !== undefined) {
    parts.push(lengthPrefixed(input.binding.initiator), lengthPrefixed(input.binding.responder))
  }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', concatBytes(parts)))
}

/**
 * HMAC-SHA-256 key from the join token: PBKDF2-SHA-256(password = UTF-8 token,
 * salt = "cairn/v2/join", `JOIN_KDF_ITERATIONS`), 256 bits, not extractable.
 * Slow on purpose; cached per token for the life of the process.
 */
export async function deriveJoinKey (token: string): Promise<CryptoKey> {
  return await joinKeys(token)
}

/** Join keys derived in this process, by token: a node, or many in one test, pays the KDF once. */
const joinKeys = memoAsync(8, pbkdf2JoinKey)

async function pbkdf2JoinKey (token: string): Promise<CryptoKey> {
  const password = await crypto.subtle.importKey('raw', bufferSource(utf8(token)), 'PBKDF2', false, ['deriveKey'])
  return await crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt: bufferSource(JOIN_SALT), iterations: JOIN_KDF_ITERATIONS },
    password,
    { name: 'HMAC', hash: 'SHA-256', length: 256 },
    false,
    ['sign', 'verify']
  )
}

function labelled (side: Side, transcript: Uint8Array): Uint8Array<ArrayBuffer> {
  return concatBytes([utf8(side), transcript])
}

export interface AuthProof {
  sig: Uint8Array
  mac: Uint8Array
}

export async function proveAuth (side: Side, transcript: Uint8Array, identity: Identity, joinKey: CryptoKey): Promise<AuthProof> {
  const data = labelled(side, transcript)
  const [sig, mac] = await Promise.all([
    sign(identity, data),
    crypto.subtle.sign('HMAC', joinKey, data).then(mac => new Uint8Array(mac))
  ])
  return { sig, mac }
}

export async function checkSignature (side: Side, transcript: Uint8Array, publicKey: Uint8Array, sig: Uint8Array): Promise<boolean> {
  return await verifySignature(publicKey, sig, labelled(side, transcript))
}

/** Constant-time check of a join-token MAC (Web Crypto's verify). */
export async function checkMac (side: Side, transcript: Uint8Array, joinKey: CryptoKey, mac: Uint8Array): Promise<boolean> {
  return await crypto.subtle.verify('HMAC', joinKey, bufferSource(mac), labelled(side, transcript))
}

/** The host proof's label: distinct from the member MAC's, and per side. */
function hostLabelled (side: Side, transcript: Uint8Array): Uint8Array<ArrayBuffer> {
  return concatBytes([utf8(`host-${side}`), transcript])
}

/** HMAC over (host side label ‖ transcript) with the host key's proof key (`host-key.ts`). */
export async function proveHost (side: Side, transcript: Uint8Array, proofKey: CryptoKey): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign('HMAC', proofKey, hostLabelled(side, transcript)))
}

/** Constant-time check of a host proof. */
export async function checkHostProof (side: Side, transcript: Uint8Array, proofKey: CryptoKey, mac: Uint8Array): Promise<boolean> {
  return await crypto.subtle.verify('HMAC', proofKey, bufferSource(mac), hostLabelled(side, transcript))
}
