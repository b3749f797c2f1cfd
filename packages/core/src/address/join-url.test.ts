import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { LinkError } from '../errors.js'
import { formatJoinUrl, parseJoinUrl, parseMeshAddress } from './join-url.js'
import { meshAddressOf, normalizeMeshAddress, originOfMeshAddress } from './mesh-url.js'
import { expectOnlyLinkErrors } from '../../test/support/address.js'

const tokenArb = fc.stringMatching(/^[A-Za-z0-9_~.!*()'@:$,;+=-]{0,64}$/)
const hostArb = fc.constantFrom('127.0.0.1', 'example.org', '[::1]', 'h')
const portArb = fc.integer({ min: 1, max: 65535 })

describe('mesh addresses', () => {
  it('turn http into ws and https into wss, at /mesh', () => {
    expect(meshAddressOf('http://127.0.0.1:4001')).toBe('ws://127.0.0.1:4001/mesh')
    expect(meshAddressOf('https://example.org')).toBe('wss://example.org/mesh')
    expect(meshAddressOf('https://example.org:8443/app/?q=1#join=t')).toBe('wss://example.org:8443/mesh')
    expect(meshAddressOf('http://[::1]:80')).toBe('ws://[::1]/mesh')
    expect(meshAddressOf({ protocol: 'http:', host: '127.0.0.1:4001' })).toBe('ws://127.0.0.1:4001/mesh')
    expect(meshAddressOf({ protocol: 'https:', host: 'example.org' })).toBe('wss://example.org/mesh')
  })

  it('normalize ws and wss addresses to the URL to dial', () => {
    expect(normalizeMeshAddress('ws://127.0.0.1:4001')).toBe('ws://127.0.0.1:4001/mesh')
    expect(normalizeMeshAddress('ws://h:1/')).toBe('ws://h:1/mesh')
    expect(normalizeMeshAddress('ws://h:1/custom#x')).toBe('ws://h:1/custom')
    expect(normalizeMeshAddress('wss://example.org')).toBe('wss://example.org/mesh')
  })

  it('lead back to the web origin of their host', () => {
    expect(originOfMeshAddress('ws://127.0.0.1:4001/mesh')).toBe('http://127.0.0.1:4001')
    expect(originOfMeshAddress('wss://example.org/mesh')).toBe('https://example.org')
    expect(originOfMeshAddress('ws://[::1]:4001')).toBe('http://[::1]:4001')
    for (const origin of ['http://127.0.0.1:4001', 'https://example.org:8443']) {
      expect(originOfMeshAddress(meshAddressOf(origin))).toBe(origin)
    }
    expect(() => originOfMeshAddress('http://h:1')).toThrow(LinkError)
  })

  it('refuse other schemes, credentials and garbage with LinkError', () => {
    for (const bad of ['ftp://h/', 'ws://h/', 'file:///x', 'nonsense', '']) {
      expect(() => meshAddressOf(bad), bad).toThrow(LinkError)
    }
    expect(() => meshAddressOf({ protocol: 'ftp:', host: 'h' })).toThrow(LinkError)
    for (const bad of ['http://h:1', 'memory://a', 'ws://u:p@h:1/mesh', 'ws://', 'not a url', '']) {
      expect(() => normalizeMeshAddress(bad), bad).toThrow(LinkError)
    }
  })
})

describe('join URLs', () => {
  it('round-trip origin and token, http and https', () => {
    fc.assert(fc.property(fc.constantFrom('http', 'https'), hostArb, portArb, tokenArb, (scheme, host, port, token) => {
      const origin = new URL(`${scheme}://${host}:${port}`).origin
      const url = formatJoinUrl(origin, token)
      expect(url.startsWith(`${origin}/#join=`)).toBe(true)
      expect(parseJoinUrl(url)).toEqual({ origin, address: meshAddressOf(origin), token })
      expect(meshAddressOf(origin).startsWith(scheme === 'https' ? 'wss://' : 'ws://')).toBe(true)
    }))
  })

  it('read a web link as a join URL and no join= as an open mesh', () => {
    expect(parseJoinUrl('http://h:5/#join=T&file=r.k')).toEqual({ origin: 'http://h:5', address: 'ws://h:5/mesh', token: 'T' })
    expect(parseJoinUrl('https://example.org')).toEqual({ origin: 'https://example.org', address: 'wss://example.org/mesh', token: '' })
  })

  it('take ws addresses and join URLs as places to dial', () => {
    expect(parseMeshAddress('ws://10.0.0.1:4001')).toEqual({ address: 'ws://10.0.0.1:4001/mesh' })
    expect(parseMeshAddress('wss://h/mesh')).toEqual({ address: 'wss://h/mesh' })
    expect(parseMeshAddress('http://h:5/#join=T')).toEqual({ address: 'ws://h:5/mesh', token: 'T' })
    expect(parseMeshAddress('https://h:5/#join=')).toEqual({ address: 'wss://h:5/mesh', token: '' })
    expect(parseMeshAddress('http://h:5/')).toEqual({ address: 'ws://h:5/mesh' })
  })

  it('never throw anything but LinkError on arbitrary input', () => {
    expectOnlyLinkErrors(parseJoinUrl)
    expectOnlyLinkErrors(parseMeshAddress)
    expectOnlyLinkErrors(normalizeMeshAddress)
    expectOnlyLinkErrors(meshAddressOf)
    expectOnlyLinkErrors(text => parseJoinUrl(`http://h:1/#${text}`))
  })

  it('reject bad input with LinkError', () => {
    for (const bad of ['ws://h:1', 'nonsense', 'ftp://h/', 'http://h:1/#x=1', 'http://h:1/#join=a%0Ab', '']) {
      expect(() => parseJoinUrl(bad), bad).toThrow(LinkError)
    }
    for (const bad of ['tcp://h:5', 'http://h:1/#join=a&join=b', 'ws://u:p@h', 'h:4001', '']) {
      expect(() => parseMeshAddress(bad), bad).toThrow(LinkError)
    }
    expect(() => formatJoinUrl('ws://h:1', 't')).toThrow(LinkError)
    expect(() => formatJoinUrl('http://h:1', 'bad token')).toThrow(LinkError)
  })
})
