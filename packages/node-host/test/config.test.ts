import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir, type NetworkInterfaceInfo } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  dataDirPaths, ensureDataDir, formatJoinUrl, maskIceUrl, originFor, parseAllowedOrigin, parseIceServers, parseJoinUrl, parsePeerAddress, parseSize,
  reachableOrigins, readHostFile, removeHostFile, requireLocalHost, writeHostFile
} from '../src/config/index.js'
import { deriveMemberToken } from '@cairn/core'
import { resolveCredentials, type CredentialOptions } from '../src/host/credentials.js'

describe('parseSize', () => {
  it('accepts bytes and binary and decimal units', () => {
    expect(parseSize('1048576')).toBe(1048576)
    expect(parseSize('10GiB')).toBe(10 * 2 ** 30)
    expect(parseSize('500MB')).toBe(500e6)
    expect(parseSize('1.5 KiB')).toBe(1536)
    expect(parseSize('2tib')).toBe(2 * 2 ** 40)
    expect(parseSize('7B')).toBe(7)
  })

  it('rejects anything else', () => {
    for (const bad of ['', '-1', '0', '0GiB', '10 XB', 'GiB', '1e9', '1.5', '10GiBs', ' 1 0MB', '0x10', 'NaN', '99999999999TiB']) {
      expect(() => parseSize(bad), bad).toThrow(expect.objectContaining({ code: 'ERR_USAGE' }))
    }
  })
})

describe('--allow-origin', () => {
  it('takes bare http(s) origins and normalizes them', () => {
    expect(parseAllowedOrigin('https://Cairn.Example.org')).toBe('https://cairn.example.org')
    expect(parseAllowedOrigin('http://box.lan:4001/')).toBe('http://box.lan:4001')
    expect(parseAllowedOrigin('https://x.org:443')).toBe('https://x.org')
  })

  it('rejects anything with more than an origin', () => {
    for (const bad of ['', 'cairn.example.org', 'ftp://x.org', 'https://x.org/app', 'https://x.org/?a', 'https://u:p@x.org', 'https://x.org#', 'null']) {
      expect(() => parseAllowedOrigin(bad), bad).toThrow(expect.objectContaining({ code: 'ERR_USAGE' }))
    }
  })
})

describe('--ice-server', () => {
  it('takes STUN servers bare and TURN servers with percent-encoded credentials', () => {
    expect(parseIceServers([
      'stun:stun.example.org:3478',
      'STUNS:[2001:db8::1]:5349',
      'turn:al%40ice:p%3Ass@turn.example.org:3478?transport=udp',
      'turns:u:@turn.example.org'
    ])).toEqual([
      { urls: ['stun:stun.example.org:3478'] },
      { urls: ['stuns:[2001:db8::1]:5349'] },
      { urls: ['turn:turn.example.org:3478?transport=udp'], username: 'al@ice', credential: 'p:ss' },
      { urls: ['turns:turn.example.org'], username: 'u', credential: '' }
    ])
    expect(parseIceServers([])).toEqual([])
  })

  it('refuses what a browser would refuse, with the reason', () => {
    const cases: Array<[string, RegExp]> = [
      ['http://stun.example.org', /expected stun:HOST/],
      ['stun:', /expected stun:HOST/],
      ['stun:a b', /expected stun:HOST/],
      ['turn:turn.example.org', /needs credentials/],
      ['stun:u:p@stun.example.org', /takes no credentials/],
      ['turn:u:%zz@turn.example.org', /turn:u:\*\*\*@turn\.example\.org: the password is not valid percent-encoding/],
      [`turn:${'u'.repeat(300)}:p@turn.example.org`, /username is longer than 256/]
    ]
    for (const [url, reason] of cases) {
      expect(() => parseIceServers([url]), url).toThrow(expect.objectContaining({ code: 'ERR_USAGE', message: expect.stringMatching(reason) }))
    }
    expect(() => parseIceServers(Array.from({ length: 9 }, (_, i) => `stun:s${i}.example.org`))).toThrow(/at most 8/)
    expect(maskIceUrl('turn:user:p%40ss@h:3478?transport=udp')).toBe('turn:user:***@h:3478?transport=udp')
    expect(maskIceUrl('stun:h:3478')).toBe('stun:h:3478')
  })
})

describe('advertised origins', () => {
  const nic = (address: string, family: 'IPv4' | 'IPv6', internal = false): NetworkInterfaceInfo =>
    ({ address, family, internal, netmask: '', mac: '00:00:00:00:00:00', cidr: null, ...(family === 'IPv6' ? { scopeid: 0 } : {}) }) as NetworkInterfaceInfo
  const interfaces = {
    lo: [nic('127.0.0.1', 'IPv4', true), nic('::1', 'IPv6', true)],
    eth0: [nic('192.168.1.20', 'IPv4'), nic('fe80::1', 'IPv6'), nic('2001:db8::20', 'IPv6')],
    wlan0: [nic('10.0.0.5', 'IPv4')]
  }

  it('is the listening address itself when it is not a wildcard', () => {
    expect(reachableOrigins('127.0.0.1', 4001, interfaces)).toEqual(['http://127.0.0.1:4001'])
    expect(reachableOrigins('192.168.1.20', 80, interfaces)).toEqual(['http://192.168.1.20:80'])
  })

  it('on 0.0.0.0 lists every IPv4 interface another machine can reach, loopback last', () => {
    expect(reachableOrigins('0.0.0.0', 4001, interfaces)).toEqual(['http://192.168.1.20:4001', 'http://10.0.0.5:4001', 'http://127.0.0.1:4001'])
  })

  it('on :: adds routable IPv6 addresses, never link-local ones', () => {
    expect(reachableOrigins('::', 4001, interfaces)).toEqual([
      'http://192.168.1.20:4001', 'http://[2001:db8::20]:4001', 'http://10.0.0.5:4001', 'http://127.0.0.1:4001'
    ])
  })

  it('keeps loopback and stays within the hello limit of 8 addresses', () => {
    const many = { eth0: Array.from({ length: 20 }, (_, i) => nic(`10.1.0.${i + 1}`, 'IPv4')) }
    const origins = reachableOrigins('0.0.0.0', 4001, many)
    expect(origins).toHaveLength(8)
    expect(origins[0]).toBe('http://10.1.0.1:4001')
    expect(origins.at(-1)).toBe('http://127.0.0.1:4001')
  })

  it('is loopback alone on a machine with no other interface', () => {
    expect(reachableOrigins('0.0.0.0', 4001, { lo: interfaces.lo })).toEqual(['http://127.0.0.1:4001'])
  })
})

describe('join URLs and peer addresses', () => {
  it('round-trip a join URL', () => {
    const url = formatJoinUrl('http://127.0.0.1:4001', 'abc_-DEF')
    expect(url).toBe('http://127.0.0.1:4001/#join=abc_-DEF')
    expect(parseJoinUrl(url)).toEqual({ origin: 'http://127.0.0.1:4001', address: 'ws://127.0.0.1:4001/mesh', token: 'abc_-DEF' })
  })

  it('treat a URL without join= as an open mesh, https as wss', () => {
    expect(parseJoinUrl('https://example.org')).toEqual({ origin: 'https://example.org', address: 'wss://example.org/mesh', token: '' })
  })

  it('reject non-http mesh URLs', () => {
    for (const bad of ['ws://h:1', 'nonsense', 'ftp://h/']) {
      expect(() => parseJoinUrl(bad)).toThrow(expect.objectContaining({ code: 'ERR_USAGE' }))
    }
  })

  it('imply /mesh on ws:// peers and take a join URL token', () => {
    expect(parsePeerAddress('ws://10.0.0.1:4001')).toEqual({ address: 'ws://10.0.0.1:4001/mesh' })
    expect(parsePeerAddress('ws://10.0.0.1:4001/mesh')).toEqual({ address: 'ws://10.0.0.1:4001/mesh' })
    expect(parsePeerAddress('http://h:5/#join=T')).toEqual({ address: 'ws://h:5/mesh', token: 'T' })
    expect(parsePeerAddress('http://h:5/')).toEqual({ address: 'ws://h:5/mesh' })
    expect(() => parsePeerAddress('tcp://h:5')).toThrow(expect.objectContaining({ code: 'ERR_USAGE' }))
  })

  it('show wildcard listen addresses as loopback and bracket IPv6', () => {
    expect(originFor('0.0.0.0', 80)).toBe('http://127.0.0.1:80')
    expect(originFor('::1', 80)).toBe('http://[::1]:80')
  })
})

describe('data dir', () => {
  let dir: string | undefined
  afterEach(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
    dir = undefined
  })

  async function tempPaths (): Promise<ReturnType<typeof dataDirPaths>> {
    dir = await mkdtemp(join(tmpdir(), 'cairn-config-'))
    const paths = dataDirPaths(join(dir, 'data'))
    await ensureDataDir(paths)
    return paths
  }

  /** The host key `resolveCredentials` settles on (the member token is checked against it each time). */
  async function hostKeyFrom (paths: ReturnType<typeof dataDirPaths>, options: CredentialOptions): Promise<string> {
    const { hostKey, token } = await resolveCredentials(paths, options)
    expect(token).toBe(options.open === true ? '' : await deriveMemberToken(hostKey))
    expect(await readFile(paths.token, 'utf8')).toBe(token)
    expect(await readFile(paths.hostKey, 'utf8')).toBe(hostKey)
    return hostKey
  }

  it('creates a 256-bit host key and its member token on first start, keeps them, and lets --token, a --peer URL and --open override them', async () => {
    const paths = await tempPaths()
    const first = await resolveCredentials(paths, {})
    expect(first.hostKey).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(first.token).toBe(await deriveMemberToken(first.hostKey))
    expect((await stat(paths.token)).mode & 0o777).toBe(0o600)
    expect((await stat(paths.hostKey)).mode & 0o777).toBe(0o600)
    expect(await resolveCredentials(paths, {})).toEqual(first)
    expect(await hostKeyFrom(paths, { token: 'chosen', weakToken: true })).toBe('chosen')
    expect(await hostKeyFrom(paths, {})).toBe('chosen')
    expect(await hostKeyFrom(paths, { peers: ['http://h:1/#host=fromPeer'] })).toBe('fromPeer')
    expect(await resolveCredentials(paths, { open: true })).toEqual({ hostKey: 'fromPeer', token: '' })
    expect(await readFile(paths.token, 'utf8')).toBe('')
    await expect(resolveCredentials(paths, { open: true, token: 'x' })).rejects.toMatchObject({ code: 'ERR_USAGE' })
    await expect(resolveCredentials(paths, { token: 'has space' })).rejects.toMatchObject({ code: 'ERR_USAGE' })
  })

  it('refuses a --peer join URL (a member token cannot make a host), and a --peer key that contradicts --token', async () => {
    const paths = await tempPaths()
    for (const joinUrl of ['http://h:1/#join=member-token', 'http://h:1/#join=', 'http://h:1/#join=t&file=x']) {
      await expect(resolveCredentials(paths, { peers: [joinUrl] })).rejects.toMatchObject({
        code: 'ERR_USAGE', message: expect.stringMatching(/a join URL lets in a tab or a client, not a host.*peer URL.*#host=/)
      })
    }
    await expect(resolveCredentials(paths, { token: 'one-host-key-0123456789', peers: ['http://h:1/#host=another-key-0123456789'] }))
      .rejects.toMatchObject({ code: 'ERR_USAGE', message: expect.stringMatching(/another host key than --token/) })
    expect(await hostKeyFrom(paths, { token: 'same-host-key-0123456789', peers: ['http://h:1/#host=same-host-key-0123456789', 'ws://h:2'] }))
      .toBe('same-host-key-0123456789')
  })

  it('takes an open mesh from its peer URL (#host=K&open): the member token is empty there too', async () => {
    const paths = await tempPaths()
    expect(await resolveCredentials(paths, { peers: ['http://h:1/#host=open-mesh-key-0123456789&open'] })).toEqual({ hostKey: 'open-mesh-key-0123456789', token: '' })
    expect(await readFile(paths.token, 'utf8')).toBe('')
  })

  it('replaces the join token of a data dir from before host keys, and says so', async () => {
    const paths = await tempPaths()
    await writeFile(paths.token, 'an-old-join-token-0123')
    const said: string[] = []
    const { hostKey, token } = await resolveCredentials(paths, { warn: line => { said.push(line) } })
    expect(hostKey).not.toBe('an-old-join-token-0123')
    expect(token).toBe(await deriveMemberToken(hostKey))
    expect(said).toEqual([expect.stringMatching(/predates host keys.*join URL changed/)])
    await resolveCredentials(paths, { warn: line => { said.push(line) } })
    expect(said).toHaveLength(1)
  })

  it('refuses a weak chosen token (--token, --token-file, CAIRN_TOKEN) unless weakToken; never one it did not choose', async () => {
    const paths = await tempPaths()
    const file = join(paths.root, 'token.txt')
    const strong = 'correct-horse-battery-staple'
    for (const weak of ['hunter2', '0123456789abcdef', 'aaaaaaaaaaaaaaaaaaaa', '1234567890123456789']) {
      await expect(resolveCredentials(paths, { token: weak })).rejects.toMatchObject({ code: 'ERR_USAGE', message: expect.stringMatching(/--token is too weak.*--weak-token/) })
      await writeFile(file, `${weak}\n`)
      await expect(resolveCredentials(paths, { tokenFile: file })).rejects.toMatchObject({ code: 'ERR_USAGE', message: expect.stringMatching(/--token-file is too weak/) })
      await expect(resolveCredentials(paths, { env: { CAIRN_TOKEN: weak } })).rejects.toMatchObject({ code: 'ERR_USAGE', message: expect.stringMatching(/CAIRN_TOKEN is too weak/) })
      expect(await hostKeyFrom(paths, { token: weak, weakToken: true })).toBe(weak)
    }
    // Strong enough: 16+ characters and ~80 bits by alphabet (20 hex digits, 22 base64url, a long passphrase).
    for (const ok of [strong, '0123456789abcdef0123', 'Xk3-9vQ_pL2mN8rT5wYz1a']) expect(await hostKeyFrom(paths, { token: ok })).toBe(ok)
    // A host key from a --peer URL or the data dir was chosen elsewhere: taken as it is.
    expect(await hostKeyFrom(paths, { peers: ['http://h:1/#host=short'] })).toBe('short')
    expect(await hostKeyFrom(paths, {})).toBe('short')
  })

  it('reads the token from --token-file or CAIRN_TOKEN, flags first, and keeps it out of argv', async () => {
    const paths = await tempPaths()
    const file = join(paths.root, 'token.txt')
    await writeFile(file, '  from-the-file-0123456789  \nsecond line ignored\n')
    const env = { CAIRN_TOKEN: 'from-the-environment-0123' }
    expect(await hostKeyFrom(paths, { tokenFile: file, env })).toBe('from-the-file-0123456789')
    expect(await hostKeyFrom(paths, { token: 'from-the-flag-0123456789', env })).toBe('from-the-flag-0123456789')
    expect(await hostKeyFrom(paths, { env })).toBe('from-the-environment-0123')
    expect(await hostKeyFrom(paths, { peers: ['http://h:1/#host=from-peer-url-01234567'], env })).toBe('from-peer-url-01234567')
    expect(await resolveCredentials(paths, { open: true, env })).toMatchObject({ token: '' })
    await expect(resolveCredentials(paths, { token: 'a-b-c-d-e-f-g-h-i-j', tokenFile: file })).rejects.toMatchObject({ code: 'ERR_USAGE' })
    await expect(resolveCredentials(paths, { open: true, tokenFile: file })).rejects.toMatchObject({ code: 'ERR_USAGE' })
    await expect(resolveCredentials(paths, { tokenFile: join(paths.root, 'missing') })).rejects.toMatchObject({ code: 'ERR_LOCAL_FILE' })
    await writeFile(file, '\n')
    await expect(resolveCredentials(paths, { tokenFile: file })).rejects.toMatchObject({ code: 'ERR_USAGE', message: expect.stringMatching(/empty/) })
    await writeFile(file, 'x'.repeat(2000))
    await expect(resolveCredentials(paths, { tokenFile: file })).rejects.toMatchObject({ code: 'ERR_USAGE', message: expect.stringMatching(/over 1024 bytes/) })
    await expect(resolveCredentials(paths, { env: { CAIRN_TOKEN: 'has a space in it here' } })).rejects.toMatchObject({ code: 'ERR_USAGE' })
  })

  it('publishes host.json only while the host process lives', async () => {
    const paths = await tempPaths()
    await expect(requireLocalHost(paths)).rejects.toMatchObject({ code: 'ERR_NO_HOST' })
    await writeHostFile(paths, { port: 1234, url: 'http://127.0.0.1:1234/#join=x', pid: process.pid })
    expect(await readHostFile(paths)).toEqual({ port: 1234, url: 'http://127.0.0.1:1234/#join=x', pid: process.pid })
    expect((await stat(paths.hostFile)).mode & 0o777).toBe(0o600)
    await removeHostFile(paths)
    expect(await readHostFile(paths)).toBeUndefined()
  })

  it('ignores a stale or garbled host.json', async () => {
    const paths = await tempPaths()
    await writeFile(paths.hostFile, JSON.stringify({ port: 1, url: 'http://127.0.0.1:1/', pid: 2 ** 22 + 12345 }))
    expect(await readHostFile(paths)).toBeUndefined()
    await writeFile(paths.hostFile, '{not json')
    await expect(requireLocalHost(paths)).rejects.toMatchObject({ code: 'ERR_NO_HOST' })
  })
})
