import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { decodeMessage, encodeMessage } from './index.js'
import { hostileFrame, message, reshapedMessage } from '../../test/support/wire-arbitraries.js'

const WIRE_CODES = ['ERR_FRAME_TOO_LARGE', 'ERR_FRAME_MALFORMED', 'ERR_UNKNOWN_MESSAGE']

/**
 * Decode `bytes`: either it throws a wire error, or it decodes to a valid
 * message whose encoding is exactly `bytes` (one encoding per message).
 * Returns the outcome: 'ok' or the error code.
 */
function decodeOutcome (bytes: Uint8Array, maxFrameSize?: number): string {
  let decoded
  try {
    decoded = decodeMessage(bytes, maxFrameSize === undefined ? undefined : { maxFrameSize })
  } catch (err) {
    const code = (err as { code?: unknown }).code
    if (typeof code !== 'string' || !WIRE_CODES.includes(code)) {
      throw new Error(`untyped error from decodeMessage: ${String(err)}`, { cause: err })
    }
    return code
  }
  const again = encodeMessage(decoded)
  if (again.length !== bytes.length || again.some((b, i) => b !== bytes[i])) {
    throw new Error('accepted a frame that is not the canonical encoding of its message')
  }
  return 'ok'
}

/** xorshift32: a small deterministic PRNG so the fuzz run is reproducible. */
function prng (seed: number): (n: number) => number {
  let x = seed >>> 0 || 1
  return (n) => {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    return x % n
  }
}

describe('decodeMessage on hostile input', () => {
  it('only ever throws wire errors (property)', () => {
    fc.assert(fc.property(hostileFrame, (bytes) => { decodeOutcome(bytes) }), { numRuns: 10_000 })
  })

  it('rejects every reshaped message with a wire error, or accepts a still-valid one', () => {
    fc.assert(fc.property(reshapedMessage, (value) => {
      let encoded: Uint8Array
      try {
        encoded = encodeMessage(value as never)
      } catch (err) {
        expect(WIRE_CODES).toContain((err as { code?: string }).code)
        return
      }
      expect(decodeOutcome(encoded)).toBe('ok')
    }), { numRuns: 3_000 })
  })

  it('survives 100,000 fuzzed frames in bounded time', () => {
    const valid = fc.sample(message, { numRuns: 400, seed: 7 }).map((m) => encodeMessage(m))
    const random = prng(0x5eed)
    const outcomes = new Map<string, number>()
    const started = performance.now()
    for (let i = 0; i < 100_000; i++) {
      const frame = fuzzFrame(valid[random(valid.length)] as Uint8Array, valid[random(valid.length)] as Uint8Array, random)
      const outcome = decodeOutcome(frame, random(50) === 0 ? random(frame.length + 1) : undefined)
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1)
    }
    const elapsed = performance.now() - started
    expect(elapsed).toBeLessThan(60_000)
    expect(outcomes.get('ERR_FRAME_MALFORMED')).toBeGreaterThan(10_000)
    expect(outcomes.get('ok')).toBeGreaterThan(0)
    expect(outcomes.get('ERR_FRAME_TOO_LARGE')).toBeGreaterThan(0)
    expect(outcomes.get('ERR_UNKNOWN_MESSAGE')).toBeGreaterThan(0)
  })
})

/** One fuzzed frame: random bytes, or a valid frame mutated, cut, spliced or grown. */
function fuzzFrame (frame: Uint8Array, other: Uint8Array, random: (n: number) => number): Uint8Array {
  switch (random(6)) {
    case 0: {
      const out = new Uint8Array(random(256))
      for (let i = 0; i < out.length; i++) out[i] = random(256)
      if (out.length > 0 && random(2) === 0) out[0] = 0xa0 + random(24)
      return out
    }
    case 1: {
      const out = frame.slice()
      for (let n = 1 + random(4); n > 0; n--) {
        const at = random(out.length)
        out[at] = random(2) === 0 ? random(256) : (out[at] as number) ^ (1 << random(8))
      }
      return out
    }
    case 2:
      return frame.subarray(0, random(frame.length))
    case 3: {
      const at = random(frame.length + 1)
      const tail = random(2) === 0 ? frame.subarray(at + 1) : Uint8Array.of(random(256), ...frame.subarray(at))
      return Uint8Array.of(...frame.subarray(0, at), ...tail)
    }
    case 4:
      return Uint8Array.of(...frame.subarray(0, random(frame.length + 1)), ...other.subarray(random(other.length + 1)))
    default:
      return frame
  }
}
