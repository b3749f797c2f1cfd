import { describe, expect, it } from 'vitest'
import { encode } from 'cborg'
import { decodeMessage, encodeMessage } from './index.js'
import { MAX_CBOR_ITEMS, MAX_CBOR_TEXT } from './cbor-tokenizer.js'
import { concatBytes } from '../bytes.js'

/** Concatenate byte arrays / byte lists. */
function cat (...parts: Array<Uint8Array | number[]>): Uint8Array {
  return concatBytes(parts.map(p => p instanceof Uint8Array ? p : Uint8Array.from(p)))
}

/** A map with entries in exactly the given order; values are raw CBOR or encoded with cborg. */
function rawMap (entries: Array<[string, unknown]>): Uint8Array {
  const item = (v: unknown): Uint8Array => v instanceof Uint8Array && RAW.has(v) ? v : encode(v)
  return cat([0xa0 + entries.length], ...entries.map(([k, v]) => cat(encode(k), item(v))))
}

/** Bytes to splice into `rawMap` as they are (not encoded as a byte string). */
const RAW = new WeakSet<Uint8Array>()
function raw (...parts: Array<Uint8Array | number[] | number>): Uint8Array {
  const bytes = cat(...parts.map((p) => typeof p === 'number' ? [p] : p))
  RAW.add(bytes)
  return bytes
}

function codeOf (bytes: Uint8Array): string {
  try {
    decodeMessage(bytes)
  } catch (err) {
    return (err as { code?: string }).code ?? `untyped ${String(err)}`
  }
  return 'decoded'
}

const MALFORMED = 'ERR_FRAME_MALFORMED'

describe('wire CBOR subset', () => {
  it('accepts the canonical encoding built by hand', () => {
    expect(codeOf(rawMap([['t', 'ping'], ['id', 1]]))).toBe('decoded')
    expect(rawMap([['t', 'ping'], ['id', 1]])).toStrictEqual(encodeMessage({ t: 'ping', id: 1 }))
  })

  it('rejects map keys out of canonical order or repeated', () => {
    expect(codeOf(rawMap([['id', 1], ['t', 'ping']]))).toBe(MALFORMED)
    expect(codeOf(rawMap([['t', 'ping'], ['t', 'ping'], ['id', 1]]))).toBe(MALFORMED)
    expect(codeOf(rawMap([['t', 'ping'], ['id', 1], ['id', 2]]))).toBe(MALFORMED)
  })

  it('rejects non-shortest integers and lengths', () => {
    expect(codeOf(rawMap([['t', 'ping'], ['id', raw(0x18, 0x01)]]))).toBe(MALFORMED)
    expect(codeOf(rawMap([['t', 'ping'], ['id', raw(0x19, 0x00, 0xff)]]))).toBe(MALFORMED)
    expect(codeOf(rawMap([['t', 'ping'], ['id', raw(0x1a, 0x00, 0x00, 0xff, 0xff)]]))).toBe(MALFORMED)
    expect(codeOf(rawMap([['t', 'ping'], ['id', raw(0x1b, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff)]]))).toBe(MALFORMED)
    // 't' as a text string with a one-byte length argument of 1.
    expect(codeOf(cat([0xa2, 0x78, 0x01, 0x74], encode('ping'), encode('id'), [0x01]))).toBe(MALFORMED)
  })

  it('rejects indefinite lengths, tags, floats, null, undefined, negative integers, simple values', () => {
    const cases: Array<[string, Uint8Array]> = [
      ['indefinite map', cat([0xbf], encode('t'), encode('ping'), encode('id'), [0x01, 0xff])],
      ['indefinite text', rawMap([['t', raw(0x7f, 0x64, ...new TextEncoder().encode('ping'), 0xff)], ['id', 1]])],
      ['tag', rawMap([['t', 'ping'], ['id', raw(0xc1, 0x01)]])],
      ['half float', rawMap([['t', 'ping'], ['id', raw(0xf9, 0x3c, 0x00)]])],
      ['double 1.0', rawMap([['t', 'ping'], ['id', raw(0xfb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0)]])],
      ['null', rawMap([['t', 'ping'], ['id', raw(0xf6)]])],
      ['undefined', rawMap([['t', 'ping'], ['id', raw(0xf7)]])],
      ['negative', rawMap([['t', 'ping'], ['id', raw(0x20)]])],
      ['simple(16)', rawMap([['t', 'ping'], ['id', raw(0xf0)]])],
      ['simple(255)', rawMap([['t', 'ping'], ['id', raw(0xf8, 0xff)]])],
      ['break', rawMap([['t', 'ping'], ['id', raw(0xff)]])],
      ['reserved info', rawMap([['t', 'ping'], ['id', raw(0x1c)]])],
      ['2^53', rawMap([['t', 'ping'], ['id', raw(0x1b, 0, 0x20, 0, 0, 0, 0, 0, 0)]])],
      ['2^64-1', rawMap([['t', 'ping'], ['id', raw(0x1b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)]])]
    ]
    for (const [name, bytes] of cases) expect([name, codeOf(bytes)]).toEqual([name, MALFORMED])
  })

  it('rejects a top level that is not a map, and trailing bytes', () => {
    expect(codeOf(encode(['ping', 1]))).toBe(MALFORMED)
    expect(codeOf(encode('ping'))).toBe(MALFORMED)
    expect(codeOf(new Uint8Array(0))).toBe(MALFORMED)
    expect(codeOf(cat(encodeMessage({ t: 'ping', id: 1 }), [0x00]))).toBe(MALFORMED)
  })

  it('rejects non-text map keys', () => {
    expect(codeOf(cat([0xa2], encode('t'), encode('ping'), [0x01, 0x01]))).toBe(MALFORMED)
  })

  it('rejects invalid UTF-8 and keeps a leading BOM', () => {
    expect(codeOf(rawMap([['t', 'error'], ['code', raw(0x62, 0xc3, 0x28)]]))).toBe(MALFORMED)
    // An encoded surrogate (CESU) is not UTF-8.
    expect(codeOf(rawMap([['t', 'error'], ['code', 'E'], ['message', raw(0x63, 0xed, 0xa0, 0x80)]]))).toBe(MALFORMED)
    const msg = decodeMessage(encodeMessage({ t: 'error', code: 'E', message: '\uFEFFhi' })) as { message: string }
    expect(msg.message).toBe('\uFEFFhi')
  })

  it('rejects nesting deeper than any message needs', () => {
    let nested: unknown = []
    for (let i = 0; i < 6; i++) nested = [nested]
    expect(codeOf(rawMap([['t', 'peers'], ['peers', nested]]))).toBe(MALFORMED)
    // 100k nested arrays: typed error, no stack overflow.
    expect(codeOf(cat([0xa1], encode('t'), new Uint8Array(100_000).fill(0x81), [0x80]))).toBe(MALFORMED)
  })

  it('rejects huge length claims without allocating for them', () => {
    const claims = [
      raw(0x9a, 0xff, 0xff, 0xff, 0xff), // array of 2^32 - 1
      raw(0x9b, 0, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), // array of 2^53 - 1
      raw(0x99, 0x04, 0x01), // array of 1025
      raw(0xba, 0xff, 0xff, 0xff, 0xff), // map of 2^32 - 1
      raw(0x5a, 0xff, 0xff, 0xff, 0xff), // bytes of 2^32 - 1
      raw(0x7a, 0xff, 0xff, 0xff, 0xff) // text of 2^32 - 1
    ]
    for (const claim of claims) expect(codeOf(rawMap([['t', 'have'], ['cids', claim]]))).toBe(MALFORMED)
  })

  it('caps text strings before decoding them', () => {
    const long = cat([0x79, 0x06, 0x01], new Uint8Array(MAX_CBOR_TEXT + 1).fill(0x61))
    expect(codeOf(rawMap([['t', 'error'], ['code', 'E'], ['message', raw(long)]]))).toBe(MALFORMED)
    expect(MAX_CBOR_TEXT).toBe(0x600)
  })

  it('caps the number of items in a frame', () => {
    // A valid-looking 'have' list of 1024 arrays each holding many small items.
    const inner = cat([0x98, 0x40], new Uint8Array(64).fill(0x00))
    const outer = cat([0x99, 0x04, 0x00], ...Array.from({ length: 1024 }, () => inner))
    expect(1024 * 65).toBeGreaterThan(MAX_CBOR_ITEMS)
    expect(codeOf(rawMap([['t', 'have'], ['cids', raw(outer)]]))).toBe(MALFORMED)
  })
})
