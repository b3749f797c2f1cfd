/**
 * Issue 17: the core scenarios in Firefox ESR (Debian's firefox-esr, headless,
 * puppeteer-core over WebDriver BiDi), and one mixed Chromium ↔ Firefox
 * WebRTC exchange (cross-engine DTLS and SCTP).
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { addFile as addInChromium, MiB, sha256File, waitConnected as chromiumConnected, writeRandomFile } from '../support/app.js'
import { addFile, fetchDownload, peerBytes, waitConnected, waitPeers } from '../support/engine-app.js'
import { chromiumTab } from '../support/chromium-tab.js'
import { attribute, waitFor } from '../support/engine-tab.js'
import { expect, test } from '../support/engine-fixtures.js'
import { appStarts, mediaPreview, shareThroughHost, throughputWithCli } from '../support/engine-scenarios.js'
import type { ScenarioKit } from '../support/engine-scenarios.js'

const SIZE = 8 * MiB + 4321
/** Bytes this tab received over its WebRTC links (the peers panel's counters). */
const RTC_RECEIVED = `[...document.querySelectorAll('[data-testid="peer-row"][data-transport="webrtc"]')].reduce((n, r) => n + Number(r.dataset.bytesReceived), 0)`

test.describe('firefox', () => {
  const kit = ({ startHost, cli, tmp, firefox }: Omit<ScenarioKit, 'openTab'> & { firefox: { openTab: ScenarioKit['openTab'] } }): ScenarioKit =>
    ({ startHost, cli, tmp, openTab: firefox.openTab })

  test('the app starts in full (it stayed blank: persist() waited on a prompt)', async ({ startHost, cli, tmp, firefox }) => {
    const tab = await appStarts(kit({ startHost, cli, tmp, firefox }))
    // Firefox asks its user before granting persistent storage; the app says it is asking, and runs meanwhile.
    expect(await tab.evaluate(attribute('storage-persistence', 'data-state'))).toMatch(/^(asking|best-effort|granted)$/)
  })

  test('share link through a host; downloads through the service worker, and as a real download', async ({ startHost, cli, tmp, firefox }) => {
    const { b, sha } = await shareThroughHost(kit({ startHost, cli, tmp, firefox }), SIZE)
    // A click on the link: Firefox's own download manager saves what the service worker streams.
    await b.click('download')
    const saved = join(firefox.downloads, 'shared.bin')
    await expect.poll(async () => (await readFile(saved).catch(() => Buffer.alloc(0))).length, { timeout: 60_000 }).toBe(SIZE)
    expect(await sha256File(saved)).toBe(sha)
  })

  test('tab → host and host → tab with the CLI, byte-identical; throughput printed', async ({ startHost, cli, tmp, firefox }) => {
    await throughputWithCli(kit({ startHost, cli, tmp, firefox }), 16 * MiB)
  })

  test('a video preview plays and seeks', async ({ startHost, cli, tmp, firefox }) => {
    await mediaPreview(kit({ startHost, cli, tmp, firefox }))
  })

  test('tab to tab over WebRTC through a --no-store host', async ({ startHost, tmp, firefox }) => {
    const host = await startHost({ noStore: true })
    const input = join(tmp, 'direct.bin')
    const sha = await writeRandomFile(input, SIZE, 22)
    const a = await firefox.openTab(host.url)
    await waitConnected(a)
    const added = await addFile(a, input)
    expect(added.replicas, 'a --no-store host keeps no copy').toBe(0)
    const b = await firefox.openTab(added.link)
    await waitConnected(b)
    await waitPeers(b, 'webrtc')
    const fetched = await fetchDownload(b)
    expect(fetched.sha256).toBe(sha)
    await waitFor(b, RTC_RECEIVED, (n: number) => n > SIZE, { what: 'the file\'s bytes over WebRTC' })
    expect(await peerBytes(b, '[data-role="host"]', 'bytesReceived'), 'bytes from the --no-store host').toBeLessThan(SIZE / 4)
  })
})

test('mixed: a Chromium tab and a Firefox tab exchange a file over WebRTC', async ({ startHost, openTab, tmp, firefox }) => {
  const host = await startHost({ noStore: true })
  const input = join(tmp, 'mixed.bin')
  const sha = await writeRandomFile(input, SIZE, 23)
  const chromium = await openTab(host.url)
  await chromiumConnected(chromium)
  const { link, replicas } = await addInChromium(chromium, input)
  expect(replicas, 'a --no-store host keeps no copy').toBe(0)
  const ff = await firefox.openTab(link)
  await waitConnected(ff)
  await waitPeers(ff, 'webrtc')
  const fetched = await fetchDownload(ff)
  expect(fetched.sha256).toBe(sha)
  await waitFor(ff, RTC_RECEIVED, (n: number) => n > SIZE, { what: 'the file\'s bytes over WebRTC' })

  // And back: Firefox adds, Chromium fetches it over the same kind of link.
  const back = join(tmp, 'back.bin')
  const backSha = await writeRandomFile(back, 2 * MiB, 24)
  const added = await addFile(ff, back)
  await chromium.goto(added.link)
  await chromiumConnected(chromium)
  const fromFirefox = await fetchDownload(chromiumTab(chromium))
  expect(fromFirefox.sha256).toBe(backSha)
})
