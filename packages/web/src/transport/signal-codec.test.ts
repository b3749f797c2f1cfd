import { describe, expect, it } from 'vitest'
import { decodeSignal, encodeSignal, sdpFingerprint } from './signal-codec.js'

const FP = 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89'
const SDP = `v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\na=fingerprint:sha-256 ${FP}\r\na=setup:actpass\r\n`

describe('signals', () => {
  it('round-trip offers and candidates', () => {
    const offer = { type: 'offer', sdp: SDP }
    expect(decodeSignal(encodeSignal(offer))).toEqual(offer)
    const candidate = { type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host', sdpMid: '0' } }
    expect(decodeSignal(encodeSignal(candidate))).toEqual(candidate)
  })

  it('rejects oversized, non-JSON and shapeless signals with ProtocolError', () => {
    const encoder = new TextEncoder()
    for (const bad of ['not json', '[]', 'null', '{}', '{"sdp": 5}', JSON.stringify({ sdp: 'x'.repeat(20_000) })]) {
      expect(() => decodeSignal(encoder.encode(bad))).toThrow(expect.objectContaining({ code: 'ERR_PROTOCOL' }))
    }
    expect(() => encodeSignal({ sdp: 'x'.repeat(20_000) })).toThrow(expect.objectContaining({ code: 'ERR_PROTOCOL' }))
  })
})

describe('sdpFingerprint', () => {
  it('is the algorithm name, a zero byte and the digest', () => {
    const fp = sdpFingerprint(SDP)!
    expect(fp.length).toBe(7 + 1 + 32)
    expect(new TextDecoder().decode(fp.subarray(0, 7))).toBe('sha-256')
    expect(fp[7]).toBe(0)
    expect([...fp.subarray(8, 11)]).toEqual([0xab, 0xcd, 0xef])
  })

  it('differs between certificates and is absent from an SDP without one', () => {
    const other = SDP.replace('AB:CD', 'AB:CE')
    expect(sdpFingerprint(other)).not.toEqual(sdpFingerprint(SDP))
    expect(sdpFingerprint('v=0\r\n')).toBeUndefined()
    expect(sdpFingerprint('a=fingerprint:sha-256 ZZ:ZZ\r\n')).toBeUndefined()
  })
})
