import { encode } from 'cborg'
import { describe, expect, it } from 'vitest'
import { decodeRecord, encodeRecord, isExpired, MAX_RECORD_SIZE, mergeRecords } from './record.js'

const owner = new Uint8Array(32).fill(7)

describe('block record encoding (version 1)', () => {
  it('round-trips a full and a minimal record, and stays small', () => {
    const full = { replicas: 16, expires: 253_402_300_799_999, owner }
    const bytes = encodeRecord(full)
    expect(bytes.length).toBeLessThanOrEqual(MAX_RECORD_SIZE)
    expect(decodeRecord(bytes)).toEqual(full)
    expect(decodeRecord(encodeRecord({ replicas: 1 }))).toEqual({ replicas: 1 })
  })

  it('is canonical CBOR with version 1', () => {
    expect(encodeRecord({ replicas: 2, expires: 1000 })).toEqual(encode({ v: 1, r: 2, e: 1000 }))
  })

  it.each([
    ['an unknown version', { v: 2, r: 1 }],
    ['no replicas', { v: 1 }],
    ['R = 0', { v: 1, r: 0 }],
    ['R = 17', { v: 1, r: 17 }],
    ['a float R', { v: 1, r: 1.5 }],
    ['a negative expiry', { v: 1, r: 1, e: -5 }],
    ['a text expiry', { v: 1, r: 1, e: 'soon' }],
    ['a short owner tag', { v: 1, r: 1, o: new Uint8Array(31) }],
    ['an unknown field', { v: 1, r: 1, x: 1 }],
    ['a list', [1, 2]]
  ])('rejects %s with ERR_BLOCK_RECORD', (_, value) => {
    expect(() => decodeRecord(encode(value))).toThrow(expect.objectContaining({ code: 'ERR_BLOCK_RECORD' }))
  })

  it('rejects oversized and malformed bytes before decoding', () => {
    expect(() => decodeRecord(new Uint8Array(MAX_RECORD_SIZE + 1))).toThrow(expect.objectContaining({ code: 'ERR_BLOCK_RECORD' }))
    expect(() => decodeRecord(new Uint8Array([0xa1]))).toThrow(expect.objectContaining({ code: 'ERR_BLOCK_RECORD' }))
  })
})

describe('mergeRecords: the most durable wins', () => {
  it('largest R, latest expiry, no expiry wins, owner only when both agree', () => {
    expect(mergeRecords({ replicas: 2, expires: 10, owner }, { replicas: 3, expires: 5, owner })).toEqual({ replicas: 3, expires: 10, owner })
    expect(mergeRecords({ replicas: 2, expires: 10 }, { replicas: 1 })).toEqual({ replicas: 2 })
    expect(mergeRecords({ replicas: 2, owner }, { replicas: 2, owner: new Uint8Array(32) })).toEqual({ replicas: 2 })
    expect(mergeRecords({ replicas: 2, owner }, { replicas: 2 })).toEqual({ replicas: 2 })
  })

  it('expiry is inclusive of its instant', () => {
    expect(isExpired({ replicas: 1, expires: 1000 }, 999)).toBe(false)
    expect(isExpired({ replicas: 1, expires: 1000 }, 1000)).toBe(true)
    expect(isExpired({ replicas: 1 }, 1e15)).toBe(false)
    expect(isExpired(undefined)).toBe(false)
  })
})
