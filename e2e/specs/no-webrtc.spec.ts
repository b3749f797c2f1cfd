/**
 * Issue 17, item 2: a tab without WebRTC works through its hosts. Chromium
 * tabs with `RTCPeerConnection` removed by an init script (as a policy or a
 * privacy extension does) add files, open links, download through the
 * service worker and preview video, all from hosts; the Mesh panel says
 * direct tab-to-tab links are unavailable and why; a file that only another
 * tab holds fails at once with a message that says so.
 */
import { join } from 'node:path'
import { addFile, MiB, sha256File, waitConnected, writeRandomFile } from '../support/app.js'
import { chromiumTab } from '../support/chromium-tab.js'
import { fetchDownload } from '../support/engine-app.js'
import { addTabOnlyFile, relayStatus } from '../support/tab-only.js'
import { mediaPreview, shareThroughHost } from '../support/engine-scenarios.js'
import type { ScenarioKit } from '../support/engine-scenarios.js'
import { expect, test } from '../support/fixtures.js'

const NO_WEBRTC = 'delete window.RTCPeerConnection; delete window.webkitRTCPeerConnection; delete window.RTCDataChannel'

test.describe('Chromium without RTCPeerConnection', () => {
  const kit = ({ startHost, cli, tmp, openTab }: Omit<ScenarioKit, 'openTab'> & { openTab: (url: string, options?: { initScript?: string }) => Promise<import('@playwright/test').Page> }): ScenarioKit =>
    ({ startHost, cli, tmp, openTab: async url => chromiumTab(await openTab(url, { initScript: NO_WEBRTC })) })

  test('the Mesh panel says direct links are unavailable and why; an added file reads back with the CLI', async ({ startHost, openTab, cli, tmp }) => {
    const host = await startHost()
    const tab = await openTab(host.url, { initScript: NO_WEBRTC })
    expect(await tab.evaluate(() => typeof (window as { RTCPeerConnection?: unknown }).RTCPeerConnection)).toBe('undefined')
    await waitConnected(tab)
    const status = tab.getByTestId('rtc-status')
    await expect(status).toBeVisible()
    await expect(status).toHaveAttribute('data-state', 'unavailable')
    await expect(status).toContainText('Direct tab-to-tab links: unavailable')
    await expect(status).toContainText('RTCPeerConnection is missing')
    await expect(tab.getByTestId('ice-servers')).toBeHidden()

    const input = join(tmp, 'no-rtc.bin')
    const sha = await writeRandomFile(input, 4 * MiB + 3, 41)
    const { link, replicas } = await addFile(tab, input)
    expect(replicas).toBeGreaterThanOrEqual(1)
    const out = join(tmp, 'back.bin')
    const get = await cli(['get', link, '-o', out])
    expect(get.code, get.stderr).toBe(0)
    expect(await sha256File(out)).toBe(sha)
  })

  test('share link between two tabs without WebRTC, through a storing host', async ({ startHost, openTab, cli, tmp }) => {
    await shareThroughHost(kit({ startHost, cli, tmp, openTab }), 4 * MiB + 5)
  })

  test('a video preview plays and seeks', async ({ startHost, openTab, cli, tmp }) => {
    await mediaPreview(kit({ startHost, cli, tmp, openTab }))
  })

  test('a file only another tab holds fails at once, saying why', async ({ startHost, openTab, tmp }) => {
    const { link } = await addTabOnlyFile({ startHost, openTab, tmp }, 1 * MiB, 42)

    const started = Date.now()
    const tab = await openTab(link, { initScript: NO_WEBRTC })
    await waitConnected(tab)
    const error = tab.getByTestId('open-error')
    await expect(error).toBeVisible({ timeout: 25_000 })
    // Not the open timeout (30 s): no link to a tab can come, so "not available" is final at once.
    expect(Date.now() - started).toBeLessThan(25_000)
    expect(await error.getAttribute('data-code')).toMatch(/^ERR_(UNAVAILABLE|NOT_FOUND)$/)
    await expect(tab.getByTestId('open-error-rtc')).toContainText('direct tab-to-tab links are unavailable')
    await expect(tab.getByTestId('download')).toHaveCount(0)
    await expect(tab.getByTestId('relay-status')).toHaveAttribute('data-relays', 'false')
  })

  test('a file only another tab holds opens through a --no-store --relay host, byte-identical', async ({ startHost, openTab, cli, tmp }) => {
    const { host, link, sha, size } = await addTabOnlyFile({ startHost, openTab, tmp }, 2 * MiB + 9, 43, '64MiB')
    const tab = await openTab(link, { initScript: NO_WEBRTC })
    await waitConnected(tab)
    await expect(tab.getByTestId('relay-status')).toHaveAttribute('data-relays', 'true')
    await expect(tab.getByTestId('relay-status')).toContainText('relays blocks between tabs that cannot link directly')
    await expect(tab.getByTestId('rtc-status')).toContainText('comes through the host relay')
    await expect(tab.getByTestId('file-size')).toHaveAttribute('data-bytes', String(size), { timeout: 60_000 })
    const fetched = await fetchDownload(chromiumTab(tab))
    expect(fetched.status).toBe(200)
    expect(fetched.sha256).toBe(sha)
    const status = await relayStatus(cli, host)
    expect(status).toMatchObject({ blocks: 0, relay: true })
    expect(status.relayedBytes).toBeGreaterThanOrEqual(size)
  })
})
