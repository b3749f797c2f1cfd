/**
 * Sharing between two tabs through the web app: (a) through a storing host,
 * (b) through a `--no-store` host, so the bytes must go tab to tab over
 * WebRTC — shown by the peers panel's byte counters.
 */
import { join } from 'node:path'
import { addFile, download, MiB, sha256File, waitConnected, waitPeers, writeRandomFile } from '../support/app.js'
import { expect, test } from '../support/fixtures.js'

const SIZE = 32 * MiB

test('(a) a 32 MiB file added in one tab downloads byte-identical in another, through a storing host', async ({ startHost, openTab, tmp }) => {
  const host = await startHost()
  const input = join(tmp, 'thirty-two.bin')
  const sha = await writeRandomFile(input, SIZE, 1)
  const a = await openTab(host.url)
  await waitConnected(a)
  const added = await addFile(a, input)
  expect(added.replicas, 'durable copies on hosts').toBeGreaterThanOrEqual(1)
  expect(added.link).toContain(`http://127.0.0.1:${host.port}/#`)

  const b = await openTab(added.link)
  await waitConnected(b)
  await expect(b.getByTestId('file-name')).toHaveText('thirty-two.bin', { timeout: 30_000 })
  await expect(b.getByTestId('file-size')).toHaveAttribute('data-bytes', String(SIZE))
  const saved = await download(b)
  expect(await sha256File(saved)).toBe(sha)
})

test('(b) through a --no-store host the bytes go tab to tab over WebRTC', async ({ startHost, openTab, tmp }) => {
  const host = await startHost({ noStore: true })
  const input = join(tmp, 'direct.bin')
  const sha = await writeRandomFile(input, SIZE, 2)
  const a = await openTab(host.url)
  await waitConnected(a)
  const added = await addFile(a, input)
  expect(added.replicas, 'a --no-store host keeps no copy').toBe(0)

  const b = await openTab(added.link)
  await waitConnected(b)
  await waitPeers(b, 'webrtc')
  await expect(b.getByTestId('file-name')).toHaveText('direct.bin', { timeout: 30_000 })
  const saved = await download(b)
  expect(await sha256File(saved)).toBe(sha)

  // The peers panel counts what moved over each link: the file came over WebRTC.
  const rtc = b.locator('[data-testid="peer-row"][data-transport="webrtc"]')
  await expect.poll(async () => Number(await rtc.first().getAttribute('data-bytes-received'))).toBeGreaterThan(SIZE)
  const hostRow = b.locator('[data-testid="peer-row"][data-role="host"]')
  const viaHost = Number(await hostRow.first().getAttribute('data-bytes-received'))
  expect(viaHost, 'bytes from the --no-store host').toBeLessThan(SIZE / 4)
  const sentByA = a.locator('[data-testid="peer-row"][data-transport="webrtc"]')
  await expect.poll(async () => Number(await sentByA.first().getAttribute('data-bytes-sent'))).toBeGreaterThan(SIZE)
})
