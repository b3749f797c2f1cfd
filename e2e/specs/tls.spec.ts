/**
 * The web app over https:// on a name that is not loopback. Chromium maps
 * `cairn.test` to 127.0.0.1 (`--host-resolver-rules`) and accepts the test
 * certificate by its public key (`--ignore-certificate-errors-spki-list`), so
 * `https://cairn.test:PORT` is a real secure context that is not localhost,
 * as a LAN host would be. Two hosts with TLS are peered over wss://; tab A on
 * host A adds a file, tab B on host B downloads it byte-identical (service
 * worker, IndexedDB, WebRTC, downloads all on the https origin). A host on
 * 0.0.0.0 without TLS warns, and its page at `http://cairn.test:PORT` (not a
 * secure context) says that Cairn needs HTTPS and how to get it.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { addFile, download, MiB, sha256File, waitConnected, waitPeers, writeRandomFile } from '../support/app.js'
import { expect, pageErrorsOf, test as base, webSocketsOf } from '../support/fixtures.js'
import { leafCert, spkiHash, testCa, type CertFiles } from '../../packages/node-host/test/support/test-certs.mjs'

const NAME = 'cairn.test'
const SIZE = 8 * MiB

interface Certs { ca: CertFiles, leaf: CertFiles }

const test = base.extend<{}, { certs: Certs }>({
  certs: [async ({}, use) => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-e2e-tls-'))
    try {
      const ca = testCa(dir)
      await use({ ca, leaf: leafCert(dir, ca, { name: 'host', names: [NAME, '127.0.0.1'] }) })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, { scope: 'worker' }],
  launchOptions: [async ({ certs, launchOptions }, use) => {
    await use({
      ...launchOptions,
      args: [
        ...(launchOptions.args ?? []),
        `--host-resolver-rules=MAP ${NAME} 127.0.0.1`,
        `--ignore-certificate-errors-spki-list=${spkiHash(certs.leaf.cert)}`
      ]
    })
  }, { scope: 'worker' }]
})

/** The join URL a person on another machine would open: the host's, under the name `cairn.test`. */
function onName (url: string, scheme: 'http' | 'https'): string {
  const parsed = new URL(url)
  return `${scheme}://${NAME}:${parsed.port}/${parsed.hash}`
}

test('two TLS hosts peered over wss://: a file added in a tab on https://cairn.test downloads byte-identical in a tab on the other host', async ({ startHost, openTab, tmp, certs }) => {
  const tls = ['--tls-cert', certs.leaf.cert, '--tls-key', certs.leaf.key]
  const trust = { NODE_EXTRA_CA_CERTS: certs.ca.cert }
  const hostA = await startHost({ extraArgs: tls, env: trust })
  expect(hostA.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/#join=/)
  expect(hostA.listening['tls']).toBe(true)
  const hostB = await startHost({ extraArgs: tls, env: trust, peers: [hostA.peerUrl] })

  const input = join(tmp, 'over-tls.bin')
  const sha = await writeRandomFile(input, SIZE, 11)
  const a = await openTab(onName(hostA.url, 'https'))
  expect(await a.evaluate(() => [location.protocol, window.isSecureContext])).toEqual(['https:', true])
  await waitConnected(a)
  expect(webSocketsOf(a)).toEqual([`wss://${NAME}:${hostA.port}/mesh`])
  const added = await addFile(a, input)
  expect(added.replicas, 'copies on the two hosts').toBe(2)
  expect(added.link.startsWith(`https://${NAME}:${hostA.port}/#join=`), added.link).toBe(true)

  // The same file through host B, which got it from host A over wss://.
  const viaB = `https://${NAME}:${hostB.port}/${new URL(added.link).hash}`
  const b = await openTab(viaB)
  await waitConnected(b)
  expect(webSocketsOf(b)).toEqual([`wss://${NAME}:${hostB.port}/mesh`])
  await expect(b.getByTestId('file-name')).toHaveText('over-tls.bin', { timeout: 30_000 })
  await expect(b.getByTestId('file-size')).toHaveAttribute('data-bytes', String(SIZE))
  const saved = await download(b)
  expect(await sha256File(saved)).toBe(sha)
  // IndexedDB on the https origin holds what tab A added.
  await expect(a.getByTestId('storage-blocks')).toHaveText(/Cairn blocks here: [1-9]\d* /)
  // A second tab on host A links to tab A over WebRTC on the https origin.
  const c = await openTab(added.link)
  await waitConnected(c)
  await waitPeers(c, 'webrtc')
  await waitPeers(a, 'webrtc')
})

test('a host on 0.0.0.0 without TLS warns, and its page at http://cairn.test says Cairn needs HTTPS', async ({ startHost, openTab }) => {
  // Inside the e2e namespace 0.0.0.0 reaches loopback only.
  const host = await startHost({ extraArgs: ['--listen', '0.0.0.0'] })
  expect(host.listening['tls']).toBe(false)
  expect(String(host.listening['warnings'])).toMatch(/without TLS: browsers on other machines cannot use this host/)
  expect(host.log.join('\n')).toMatch(/WARNING: listening on 0\.0\.0\.0 without TLS/)

  const page = await openTab(onName(host.url, 'http'))
  expect(await page.evaluate(() => window.isSecureContext)).toBe(false)
  const notice = page.getByTestId('insecure-context')
  await expect(notice).toBeVisible()
  await expect(notice).toContainText('Cairn needs HTTPS (or localhost)')
  await expect(notice).toContainText('--tls-cert cert.pem --tls-key key.pem')
  await expect(notice).toContainText(`subjectAltName=DNS:${NAME}`)
  await expect(notice).toContainText('mkcert')
  await expect(notice).toContainText(`ssh -N -L ${host.port}:localhost:${host.port}`)
  await expect(page.getByTestId('fatal-error')).toHaveCount(0)
  await expect(page.locator('body')).not.toContainText(/Cannot read properties|generateKey|This browser could not start/)
  expect(pageErrorsOf(page)).toEqual([])
  expect(webSocketsOf(page)).toEqual([])
})
