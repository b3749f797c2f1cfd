import { describe, expect, it } from 'vitest'
import { utf8 } from './bytes.js'
import { JOIN_KDF_ITERATIONS, deriveJoinKey } from './transcript.js'

/** HMAC-SHA-256 over `message` with `key`, as hex. */
async function macHex (key: CryptoKey, message: string): Promise<string> {
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, utf8(message) as Uint8Array<ArrayBuffer>))
  return [...mac].map(b => b.toString(16).padStart(2, '0')).join('')
}

describe('join key', () => {
  // Known answers from an independent implementation (Python's hashlib.pbkdf2_hmac and hmac):
  // hmac(pbkdf2_hmac('sha256', token, b'cairn/v2/join', 600000), b'cairn join-key vector', sha256).
  it('is PBKDF2-SHA-256 of the token, salt "cairn/v2/join", 600,000 rounds: an offline guess costs the whole KDF', async () => {
    expect(JOIN_KDF_ITERATIONS).toBe(600_000)
    expect(await macHex(await deriveJoinKey('hunter2'), 'cairn join-key vector'))
      .toBe('2ad57e5de9d2f1c49033d9391e66747694e1aa7589b1c9e4ec6683559d3c44e8')
    // An open mesh (empty token) derives the same way.
    expect(await macHex(await deriveJoinKey(''), 'cairn join-key vector'))
      .toBe('bdd003889cc4ea11ce582e5f7d622b6850dad5c2e6bf6428fb9c0cb87bd0e242')
  })

  it('is derived once per token in a process and cannot be exported', async () => {
    const token = `once-${Math.random()}`
    const started = performance.now()
    const key = await deriveJoinKey(token)
    const first = performance.now() - started
    const again = performance.now()
    expect(await deriveJoinKey(token)).toBe(key)
    expect(performance.now() - again).toBeLessThan(first)
    expect(key.extractable).toBe(false)
    expect(key.usages.sort()).toEqual(['sign', 'verify'])
  })
})
