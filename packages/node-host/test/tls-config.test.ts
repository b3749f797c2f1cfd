/** config/tls.ts: checking --tls-cert/--tls-key, the https:// origins a certificate makes good, loopback. */
import { execFileSync } from 'node:child_process'
import { generateKeyPairSync, X509Certificate } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { httpsOrigins, isLoopbackHost, loadTls, plainListenWarning } from '../src/config/tls.js'
import { leafCert, selfSignedCert, testCa, type CertFiles } from './support/test-certs.mjs'

let dir: string
let ca: CertFiles
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-tls-config-'))
  ca = testCa(dir)
})
afterAll(() => { rmSync(dir, { recursive: true, force: true }) })

const certOf = (files: CertFiles): X509Certificate => new X509Certificate(readFileSync(files.cert))

describe('loadTls', () => {
  it('loads ECDSA and RSA pairs', async () => {
    for (const keyType of ['ec', 'rsa'] as const) {
      const files = leafCert(dir, ca, { name: `load-${keyType}`, names: ['nas.lan'], keyType })
      const tls = await loadTls(files)
      expect(tls.certificate.subjectAltName).toBe('DNS:nas.lan')
      expect(tls.key.toString()).toContain('PRIVATE KEY')
    }
  })

  it('refuses a key of another certificate, a key type browsers do not take, files that are not PEM or missing', async () => {
    const a = selfSignedCert(dir, { name: 'a' })
    const b = selfSignedCert(dir, { name: 'b' })
    await expect(loadTls({ cert: a.cert, key: b.key })).rejects.toMatchObject({ code: 'ERR_USAGE', message: expect.stringMatching(/does not belong to the certificate/) })

    const ed = join(dir, 'ed25519.key')
    writeFileSync(ed, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }))
    await expect(loadTls({ cert: a.cert, key: ed })).rejects.toMatchObject({ code: 'ERR_USAGE', message: expect.stringMatching(/a key of type ed25519; use an ECDSA or RSA key/) })

    const encrypted = join(dir, 'encrypted.key')
    execFileSync('openssl', ['pkey', '-in', a.key, '-out', encrypted, '-aes256', '-passout', 'pass:secret'])
    await expect(loadTls({ cert: a.cert, key: encrypted })).rejects.toMatchObject({ code: 'ERR_USAGE', message: expect.stringMatching(/encrypted/) })

    const junk = join(dir, 'junk.pem')
    writeFileSync(junk, 'hello')
    await expect(loadTls({ cert: junk, key: a.key })).rejects.toMatchObject({ code: 'ERR_USAGE', message: expect.stringMatching(/not a PEM certificate/) })
    await expect(loadTls({ cert: a.cert, key: junk })).rejects.toMatchObject({ code: 'ERR_USAGE', message: expect.stringMatching(/not a PEM private key/) })
    await expect(loadTls({ cert: join(dir, 'missing.crt'), key: a.key })).rejects.toMatchObject({ code: 'ERR_LOCAL_FILE', message: expect.stringMatching(/missing\.crt: cannot read it \(ENOENT\)/) })
  })
})

describe('httpsOrigins', () => {
  it('on loopback: the loopback address the certificate names, else localhost', () => {
    const both = certOf(leafCert(dir, ca, { name: 'o1', names: ['localhost', '127.0.0.1'] }))
    expect(httpsOrigins(both, 'http://127.0.0.1:4001', ['http://127.0.0.1:4001'])).toEqual({
      origin: 'https://127.0.0.1:4001', origins: ['https://127.0.0.1:4001', 'https://localhost:4001']
    })
    const named = certOf(leafCert(dir, ca, { name: 'o2', names: ['localhost'] }))
    expect(httpsOrigins(named, 'http://127.0.0.1:4001', ['http://127.0.0.1:4001'])).toEqual({
      origin: 'https://localhost:4001', origins: ['https://localhost:4001']
    })
  })

  it('beyond loopback: the certificate\'s DNS names first, then the interface addresses it covers', () => {
    const cert = certOf(leafCert(dir, ca, { name: 'o3', names: ['nas.lan', '*.nas.lan', '192.168.1.20', '127.0.0.1'] }))
    const plain = ['http://192.168.1.20:4001', 'http://10.0.0.5:4001', 'http://127.0.0.1:4001']
    expect(httpsOrigins(cert, 'http://127.0.0.1:4001', plain)).toEqual({
      origin: 'https://127.0.0.1:4001',
      origins: ['https://nas.lan:4001', 'https://192.168.1.20:4001', 'https://127.0.0.1:4001']
    })
  })

  it('warns when the certificate names none of the addresses', () => {
    const cert = certOf(leafCert(dir, ca, { name: 'o4', names: ['10.9.9.9'] }))
    const result = httpsOrigins(cert, 'http://127.0.0.1:4001', ['http://127.0.0.1:4001'])
    expect(result.origin).toBe('https://127.0.0.1:4001')
    expect(result.warning).toMatch(/names 10\.9\.9\.9, not the address this host listens on: clients will refuse it/)
  })
})

describe('plain http', () => {
  it('is quiet on loopback and loud beyond it', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) {
      expect(isLoopbackHost(host)).toBe(true)
      expect(plainListenWarning(host)).toBeUndefined()
    }
    for (const host of ['0.0.0.0', '::', '192.168.1.20', 'nas.lan', '::ffff:10.0.0.1', '128.0.0.1']) {
      expect(isLoopbackHost(host)).toBe(false)
      expect(plainListenWarning(host)).toMatch(/without TLS: browsers on other machines cannot use this host .* mesh traffic between machines is unauthenticated/)
    }
  })
})
