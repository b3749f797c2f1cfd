import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { create as createDigest } from 'multiformats/hashes/digest'
import { LinkError } from '../errors.js'
import { formatLink, formatWebLink, parseLink } from './link.js'
import { expectOnlyLinkErrors } from '../../test/support/address.js'

const cidArb = fc.uint8Array({ minLength: 32, maxLength: 32 })
  .map(digest => CID.createV1(raw.code, createDigest(0x12, digest)))
const keyArb = fc.uint8Array({ minLength: 16, maxLength: 16 })
const tokenArb = fc.stringMatching(/^[A-Za-z0-9_~.!*()'@:$,;+=-]{1,64}$/)

function expectLinkError (text: string): void {
  let error: unknown
  try {
    parseLink(text)
  } catch (err) {
    error = err
  }
  expect(error, text).toBeInstanceOf(LinkError)
  expect((error as LinkError).code).toBe('ERR_LINK')
}

const ROOT = 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'
const KEY = 'AAECAwQFBgcICQoLDA0ODw'

describe('formatLink / parseLink', () => {
  it('formats root.key with a 22-character unpadded base64url key', () => {
    const parsed = parseLink(`${ROOT}.${KEY}`)
    expect(parsed.root.toString()).toBe(ROOT)
    expect([...parsed.key]).toEqual([...Array(16).keys()])
    expect(formatLink(parsed.root, parsed.key)).toBe(`${ROOT}.${KEY}`)
    expect(parsed.join).toBeUndefined()
    expect(parsed.origin).toBeUndefined()
  })

  it('round-trips any root and key', () => {
    fc.assert(fc.property(cidArb, keyArb, (root, key) => {
      const text = formatLink(root, key)
      expect(text).toHaveLength(59 + 1 + 22)
      const parsed = parseLink(text)
      expect(parsed.root.equals(root)).toBe(true)
      expect(parsed.key).toEqual(key)
    }))
  })

  it('round-trips web links with and without a join token', () => {
    fc.assert(fc.property(cidArb, keyArb, fc.option(tokenArb, { nil: '' }), fc.integer({ min: 1, max: 65535 }),
      (root, key, token, port) => {
        const link = formatLink(root, key)
        const web = formatWebLink(`http://127.0.0.1:${port}`, token, link)
        const parsed = parseLink(web)
        expect(parsed.root.equals(root)).toBe(true)
        expect(parsed.key).toEqual(key)
        expect(parsed.origin).toBe(`http://127.0.0.1:${port}`)
        expect(parsed.join).toBe(token === '' ? undefined : token)
      }))
  })

  it('parses the documented web form', () => {
    const parsed = parseLink(`http://localhost:4001/#join=tok-123&file=${ROOT}.${KEY}`)
    expect(parsed.join).toBe('tok-123')
    expect(parsed.origin).toBe('http://localhost:4001')
    expect(parseLink(`https://example.org/#file=${ROOT}.${KEY}`).join).toBeUndefined()
    expect(parseLink(`http://h:1/#join=&file=${ROOT}.${KEY}`).join).toBe('')
    expect(parseLink(`http://h:1/#file=${ROOT}.${KEY}&join=a%20b`.replace('%20', '%2B')).join).toBe('a+b')
  })

  it('parses a bare fragment, as pasted from a page URL', () => {
    const parsed = parseLink(`#join=tok&file=${ROOT}.${KEY}`)
    expect(parsed.root.toString()).toBe(ROOT)
    expect(parsed.join).toBe('tok')
    expect(parsed.origin).toBeUndefined()
    expect(parseLink(`#file=${ROOT}.${KEY}`).join).toBeUndefined()
    for (const bad of ['#', '#join=tok', `#file=${ROOT}`, `#x=1&file=${ROOT}.${KEY}`]) expectLinkError(bad)
  })

  it('rejects malformed links with LinkError', () => {
    const bad = [
      '', ROOT, `${ROOT}.`, `.${KEY}`, `${ROOT}.${KEY}=`, `${ROOT}.${KEY}==`, `${ROOT}.${KEY}A`,
      `${ROOT}.${KEY.slice(1)}`, `${ROOT}.AAECAwQFBgcICQoLDA0ODx`, // non-zero trailing bits
      `${ROOT}.AAECAwQFBgcICQoLDA0OD+`, `${ROOT}.AAECAwQFBgcICQoLDA0OD/`,
      ` ${ROOT}.${KEY}`, `${ROOT}.${KEY}\n`, `${ROOT} .${KEY}`,
      `${ROOT.toUpperCase()}.${KEY}`, `bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy.${KEY}`,
      `${ROOT}.${KEY}.${KEY}`, `${ROOT}x.${KEY}`,
      `http://h:1/#join=t`, `http://h:1/`, `http://h:1/#file=${ROOT}`, `http://h:1/?q=1#file=${ROOT}.${KEY}`,
      `http://u:p@h:1/#file=${ROOT}.${KEY}`, `ftp://h/#file=${ROOT}.${KEY}`,
      `http://h:1/#file=${ROOT}.${KEY}&file=${ROOT}.${KEY}`, `http://h:1/#file=${ROOT}.${KEY}&x=1`,
      `http://h:1/#join&file=${ROOT}.${KEY}`, `http://h:1/#join=%zz&file=${ROOT}.${KEY}`,
      `http://h:1/#join=a%0Ab&file=${ROOT}.${KEY}`, `http://h:1/#file=${ROOT}.${KEY}&`,
      `http:/#file=${ROOT}.${KEY}`, 'x'.repeat(5000)
    ]
    for (const text of bad) expectLinkError(text)
  })

  it('rejects every single-character mutation that changes meaning, with LinkError only', () => {
    const root = CID.parse(ROOT)
    const valid = formatLink(root, new Uint8Array(16).fill(7))
    const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=+# \u00e9'
    fc.assert(fc.property(
      fc.integer({ min: 0, max: valid.length }), fc.constantFrom(...alphabet),
      fc.constantFrom('insert', 'replace', 'delete'),
      (at, ch, op) => {
        const mutated = op === 'insert'
          ? valid.slice(0, at) + ch + valid.slice(at)
          : op === 'replace' ? valid.slice(0, at) + ch + valid.slice(at + 1) : valid.slice(0, at) + valid.slice(at + 1)
        if (mutated === valid) return
        let parsed
        try {
          parsed = parseLink(mutated)
        } catch (err) {
          expect(err).toBeInstanceOf(LinkError)
          return
        }
        if (mutated === `${valid}/`) {
          // The one alias by design: a trailing `/` names the whole (folder) link, as `LINK/sub/` names `sub`.
          expect(formatLink(parsed.root, parsed.key)).toBe(valid)
          expect(parsed.path).toBeUndefined()
          return
        }
        // A replacement may yield another valid link: it must then mean something else.
        expect(formatLink(parsed.root, parsed.key)).toBe(mutated)
      }))
  })

  it('reads a trailing / as the whole link (the only alias a one-character change can make)', () => {
    // fast-check seed 1753484298 found this alias: the mutation property above now names it.
    const valid = formatLink(CID.parse(ROOT), new Uint8Array(16).fill(7))
    const parsed = parseLink(`${valid}/`)
    expect(formatLink(parsed.root, parsed.key)).toBe(valid)
    expect(parsed.path).toBeUndefined()
  })

  it('never throws anything but LinkError on arbitrary input', () => {
    expectOnlyLinkErrors(parseLink)
    expectOnlyLinkErrors(text => parseLink(`#${text}`))
  })

  it('refuses to format a key of the wrong length', () => {
    expect(() => formatLink(CID.parse(ROOT), new Uint8Array(15))).toThrow(LinkError)
    expect(() => formatWebLink('http://h:1', 'bad token', `${ROOT}.${KEY}`)).toThrow(LinkError)
  })
})
