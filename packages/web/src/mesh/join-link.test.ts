import { describe, expect, it } from 'vitest'
import { parseJoinInput } from './join-link.js'

const HERE = 'http://127.0.0.1:4001'

describe('parseJoinInput', () => {
  it('takes the token from a join URL of this host, with or without a file', () => {
    expect(parseJoinInput(` ${HERE}/#join=cKY4abc_-9 `, HERE)).toEqual({ kind: 'token', token: 'cKY4abc_-9' })
    expect(parseJoinInput(`${HERE}/#join=cKY4abc&file=bafkrei.k`, HERE)).toEqual({ kind: 'token', token: 'cKY4abc' })
    expect(parseJoinInput('#join=cKY4abc', HERE)).toEqual({ kind: 'token', token: 'cKY4abc' })
  })

  it('goes to another host\'s join URL', () => {
    expect(parseJoinInput('http://192.168.1.20:4001/#join=tok', HERE)).toEqual({ kind: 'elsewhere', url: 'http://192.168.1.20:4001/#join=tok' })
  })

  it('accepts a bare token', () => {
    expect(parseJoinInput('fghPZ5RgRJ1XZ0Ub665TxQ', HERE)).toEqual({ kind: 'token', token: 'fghPZ5RgRJ1XZ0Ub665TxQ' })
  })

  it('explains what is wrong otherwise', () => {
    expect(parseJoinInput('', HERE).kind).toBe('invalid')
    expect(parseJoinInput(`${HERE}/`, HERE)).toMatchObject({ kind: 'invalid', reason: expect.stringContaining('#join=') })
    expect(parseJoinInput(`${HERE}/#join=`, HERE).kind).toBe('invalid')
    expect(parseJoinInput('not a link', HERE).kind).toBe('invalid')
    expect(parseJoinInput('http://[bad', HERE).kind).toBe('invalid')
  })
})
