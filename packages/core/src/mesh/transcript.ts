import type { Identity } from './api.js'
import { bufferSource, concatBytes, lengthPrefixed, utf8 } from './bytes.js'
import { sign, verifySignature } from './identity.js'

/*
 * The cryptography of the handshake. The transcript binds both `hello` frames
 * (exactly the bytes on the wire, initiator's first) and, when the transport
 * has one, both DTLS fingerprints. Each side proves its key with an Ed25519
 * signature and its membership with an HMAC keyed from the join token, both
 * over (side label ‖ transcript) so one side's proof never serves the other.
 */

const HANDSHAKE_TAG = utf8('cairn/v1/handshake')
const JOIN_TAG = utf8('cairn/v1/join')

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

/** HMAC key from the join token: HMAC-SHA-256 keyed with SHA-256("cairn/v1/join" ‖ token). */
export async function deriveJoinKey (token: string): Promise<CryptoKey> {
  const secret = await crypto.subtle.digest('SHA-256', concatBytes([JOIN_TAG, utf8(token)]))
  return await crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify'])
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
