import { describe, expect, it } from 'vitest'
import { MAX_PEER_NAME_LENGTH } from '../wire/limits.js'
import { peerName } from './peer-name.js'

describe('peerName', () => {
  it('keeps ordinary names, trimmed', () => {
    expect(peerName('  shelf  ')).toBe('shelf')
    expect(peerName('Chrome on macOS')).toBe('Chrome on macOS')
    expect(peerName('Büro-Rechner 🗄')).toBe('Büro-Rechner 🗄')
  })

  it('strips control and bidi/format characters, folds whitespace', () => {
    expect(peerName('evil\u001b[2Jhost')).toBe('evil[2Jhost')
    expect(peerName('a\tb\nc\r\nd')).toBe('a b c d')
    expect(peerName('admin\u202egnp.exe')).toBe('admingnp.exe')
    expect(peerName('zero\u200bwidth\ufeff')).toBe('zerowidth')
    expect(peerName('\u0085next\u2028line')).toBe('next line')
  })

  it('is undefined for nothing printable', () => {
    expect(peerName(undefined)).toBeUndefined()
    expect(peerName('')).toBeUndefined()
    expect(peerName(' \u0000\u200b\t ')).toBeUndefined()
  })

  it('cuts to the cap without splitting a character', () => {
    expect(peerName('x'.repeat(MAX_PEER_NAME_LENGTH + 10))).toBe('x'.repeat(MAX_PEER_NAME_LENGTH))
    const emoji = peerName('a' + '😀'.repeat(MAX_PEER_NAME_LENGTH))!
    expect(emoji.length).toBe(MAX_PEER_NAME_LENGTH - 1)
    expect(emoji.endsWith('😀')).toBe(true)
  })
})
