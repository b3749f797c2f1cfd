import { describe, expect, it } from 'vitest'
import { preferred, supersedes } from './dedupe.js'

describe('duplicate connections', () => {
  const a = { since: 100, dialer: 'ba', tiebreak: '11' }
  it('keeps the connection dialed by the lower peer id when both are recent', () => {
    expect(supersedes({ since: 105, dialer: 'bb', tiebreak: '00' }, a, 1000)).toBe(false)
    expect(supersedes(a, { since: 95, dialer: 'bb', tiebreak: '00' }, 1000)).toBe(true)
  })
  it('breaks a same-dialer tie by transcript, whatever the order of arrival', () => {
    const b = { since: 101, dialer: 'ba', tiebreak: '22' }
    expect(supersedes(b, a, 1000)).toBe(false)
    expect(supersedes(a, { ...b, since: 99 }, 1000)).toBe(true)
  })
  it('lets a new connection replace an old one', () => {
    expect(supersedes({ since: 5000, dialer: 'bz', tiebreak: 'ff' }, a, 1000)).toBe(true)
  })
  it('prefers by facts both sides hold, never by age', () => {
    expect(preferred({ since: 5000, dialer: 'bz', tiebreak: '00' }, a)).toBe(false)
    expect(preferred({ since: 0, dialer: 'aa', tiebreak: 'ff' }, a)).toBe(true)
    expect(preferred({ since: 0, dialer: 'ba', tiebreak: '10' }, a)).toBe(true)
  })
})
