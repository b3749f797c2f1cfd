import { describe, expect, it } from 'vitest'
import { InvalidAddressError } from '../errors.js'
import { checkDialAddress, meshAddressOf } from './mesh-url.js'

describe('checkDialAddress', () => {
  it('takes ws(s)://HOST[:PORT]/mesh, as hosts advertise them', () => {
    for (const ok of ['ws://127.0.0.1:4001/mesh', 'wss://nas.lan/mesh', 'ws://[::1]:4001/mesh', 'memory://host-1']) {
      expect(checkDialAddress(ok)).toBe(ok)
    }
    expect(checkDialAddress('ws://h:80/mesh')).toBe('ws://h/mesh')
    expect(checkDialAddress(meshAddressOf('https://example.org:8443'))).toBe('wss://example.org:8443/mesh')
  })

  it('refuses any other path, a query, credentials, a fragment or scheme with InvalidAddressError', () => {
    for (const bad of [
      'ws://h:1/internal-admin/0?delete=all', 'ws://h:1/mesh?x=1', 'ws://h:1/mesh?', 'ws://u:p@h:1/mesh', 'ws://u@h:1/mesh',
      'ws://h:1/mesh#', 'ws://h:1/mesh#f', 'ws://h:1/', 'ws://h:1', 'ws://h:1/mesh/', 'ws://h:1/Mesh', 'ws://h:1/%6desh',
      'ws://h:1/x/../mesh/..', 'http://h:1/mesh', 'https://h/mesh', 'file:///mesh', 'memory://a/b', 'memory://', '', 'mesh'
    ]) {
      expect(() => checkDialAddress(bad), bad).toThrow(InvalidAddressError)
    }
    expect(() => checkDialAddress(42 as unknown as string)).toThrow(InvalidAddressError)
  })
})

describe('peer URLs', () => {
  it('carry the host key in #host= and parse back; a join URL carries only a token', async () => {
    const { formatPeerUrl, parseMeshAddress, formatJoinUrl } = await import('./join-url.js')
    const url = formatPeerUrl('http://127.0.0.1:4001', 'k3y_with-chars~+/')
    expect(url).toBe('http://127.0.0.1:4001/#host=k3y_with-chars~%2B%2F')
    expect(parseMeshAddress(url)).toEqual({ address: 'ws://127.0.0.1:4001/mesh', hostKey: 'k3y_with-chars~+/' })
    expect(parseMeshAddress(formatJoinUrl('https://nas.lan', 'T'))).toEqual({ address: 'wss://nas.lan/mesh', token: 'T' })
    // An open mesh's peer URL says so: its hosts use the empty member token.
    const open = formatPeerUrl('http://h:1', 'K', { open: true })
    expect(open).toBe('http://h:1/#host=K&open')
    expect(parseMeshAddress(open)).toEqual({ address: 'ws://h:1/mesh', hostKey: 'K', open: true })
    for (const bad of ['http://h:1/#host=', 'http://h:1/#host=a&join=b', 'http://h:1/#host=a&file=x', 'http://h:1/#host=%zz', 'http://h:1/#host=a%20b', 'http://h:1/#host=a&open&open', 'http://h:1/#host=&open']) {
      expect(() => parseMeshAddress(bad), bad).toThrow(/peer URL/)
    }
  })
})
