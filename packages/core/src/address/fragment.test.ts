import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { LinkError } from '../errors.js'
import { checkJoinToken, formatFragment, parseFragment } from './fragment.js'
import { expectOnlyLinkErrors } from '../../test/support/address.js'

const tokenArb = fc.string({ maxLength: 64 }).filter(t => !/[\s\u0000-\u001f\u007f]/.test(t))
const fileArb = fc.stringMatching(/^[A-Za-z0-9._-]{1,82}$/)

describe('URL fragment', () => {
  it('reads the join token and file link', () => {
    expect(parseFragment('#join=abc%2Bdef&file=bafkrei.x')).toEqual({ join: 'abc+def', file: 'bafkrei.x' })
    // No join= at all (keep this tab's mesh) is told apart from an explicit open mesh (join=).
    expect(parseFragment('#file=bafkrei.x')).toEqual({ file: 'bafkrei.x' })
    expect(parseFragment('#join=&file=bafkrei.x')).toEqual({ join: '', file: 'bafkrei.x' })
    expect(parseFragment('')).toEqual({})
    expect(parseFragment('#')).toEqual({})
    expect(parseFragment('join=t')).toEqual({ join: 't' })
  })

  it('formats what it parses', () => {
    expect(formatFragment({ join: 'a+b', file: 'r.k' })).toBe('#join=a%2Bb&file=r.k')
    expect(formatFragment({})).toBe('')
    expect(formatFragment({ join: '' })).toBe('#join=')
    expect(formatFragment({ file: 'r.k' })).toBe('#file=r.k')
  })

  it('round-trips any token and file link', () => {
    fc.assert(fc.property(fc.option(tokenArb, { nil: undefined }), fc.option(fileArb, { nil: undefined }), (join, file) => {
      const fragment = { ...(join === undefined ? {} : { join }), ...(file === undefined ? {} : { file }) }
      expect(parseFragment(formatFragment(fragment))).toEqual(fragment)
    }))
  })

  it('rejects anything but join= and file=, once each, with LinkError', () => {
    const bad = [
      '#x=1', '#join=a&x=1', '#join', '#file', '#join=a&join=b', '#file=a&file=b', '#file=a&', '#&file=a',
      '#join=%zz', '#join=a%0Ab', '#join=a%20b', `#join=${'t'.repeat(257)}`
    ]
    for (const hash of bad) expect(() => parseFragment(hash), hash).toThrow(LinkError)
    expect(() => formatFragment({ join: 'has space' })).toThrow(LinkError)
    expect(() => formatFragment({ file: 'a&join=b' })).toThrow(LinkError)
    expect(() => checkJoinToken('t'.repeat(257))).toThrow(LinkError)
    expect(checkJoinToken('t'.repeat(256))).toBe('t'.repeat(256))
  })

  it('never throws anything but LinkError on arbitrary input', () => {
    expectOnlyLinkErrors(parseFragment)
  })
})
