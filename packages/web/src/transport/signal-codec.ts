/**
 * WebRTC signaling as bytes, for the mesh's `signal` frames: a simple-peer
 * signal object (offer, answer, ICE candidate) as UTF-8 JSON, and the DTLS
 * fingerprint an SDP declares, which the handshake binds.
 */
import { ProtocolError } from '@cairn/core'
import { MAX_SIGNAL_BYTES } from '@cairn/core/wire'
import type { SimplePeerSignal } from '@thaunknown/simple-peer/lite.js'

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

export function encodeSignal (signal: SimplePeerSignal): Uint8Array {
  const bytes = encoder.encode(JSON.stringify(signal))
  if (bytes.length > MAX_SIGNAL_BYTES) {
    throw new ProtocolError(`signal of ${bytes.length} bytes exceeds ${MAX_SIGNAL_BYTES}`)
  }
  return bytes
}

/** Parse a relayed signal; throws `ProtocolError` on anything but a plausible signal object. */
export function decodeSignal (bytes: Uint8Array): SimplePeerSignal {
  if (bytes.length > MAX_SIGNAL_BYTES) throw new ProtocolError('signal too large')
  let value: unknown
  try {
    value = JSON.parse(decoder.decode(bytes))
  } catch (cause) {
    throw new ProtocolError('malformed signal', { cause })
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError('malformed signal')
  }
  const signal = value as SimplePeerSignal
  const known = typeof signal.sdp === 'string' || signal.candidate !== undefined ||
    signal.renegotiate === true
  if (!known || (signal.sdp !== undefined && typeof signal.sdp !== 'string')) {
    throw new ProtocolError('malformed signal')
  }
  return signal
}

/**
 * The DTLS certificate fingerprint an SDP declares (`a=fingerprint:sha-256 AB:CD:…`),
 * as the algorithm name and digest bytes, e.g. `sha-256` ‖ 0x00 ‖ 32 bytes.
 * Undefined if the SDP has none or it is malformed.
 */
export function sdpFingerprint (sdp: string): Uint8Array | undefined {
  const match = /^a=fingerprint:([A-Za-z0-9-]{1,16}) ((?:[0-9A-Fa-f]{2}:){15,63}[0-9A-Fa-f]{2})\s*$/m.exec(sdp)
  if (match === null) return undefined
  const algorithm = encoder.encode(match[1]!.toLowerCase())
  const digest = match[2]!.split(':').map(hex => Number.parseInt(hex, 16))
  const out = new Uint8Array(algorithm.length + 1 + digest.length)
  out.set(algorithm, 0)
  out.set(digest, algorithm.length + 1)
  return out
}

/** True for an SDP offer: the start of a fresh negotiation. */
export function isOffer (bytes: Uint8Array): boolean {
  try {
    return decodeSignal(bytes).type === 'offer'
  } catch {
    return false
  }
}
