/**
 * Issue 17: the core scenarios in WebKitGTK (Debian's webkit2gtk-driver:
 * WebKitWebDriver and MiniBrowser under xvfb-run, driven by webdriverio).
 * WebKitGTK has no RTCPeerConnection: this is a real engine without WebRTC,
 * working through its hosts, saying so in the Mesh panel.
 */
import { MiB } from '../support/app.js'
import { fetchDownload, waitConnected } from '../support/engine-app.js'
import { addTabOnlyFile, relayStatus } from '../support/tab-only.js'
import { attribute, waitFor } from '../support/engine-tab.js'
import { expect, test } from '../support/engine-fixtures.js'
import { appStarts, mediaPreview, shareThroughHost, throughputWithCli } from '../support/engine-scenarios.js'
import type { ScenarioKit } from '../support/engine-scenarios.js'

type Kit = Omit<ScenarioKit, 'openTab'> & { webkit: { openTab: ScenarioKit['openTab'] } }
const kit = ({ startHost, cli, tmp, webkit }: Kit): ScenarioKit => ({ startHost, cli, tmp, openTab: webkit.openTab })

test.describe('webkit', () => {
  test('the app starts; the Mesh panel says direct links are unavailable and why', async ({ startHost, cli, tmp, webkit }) => {
    const tab = await appStarts(kit({ startHost, cli, tmp, webkit }))
    expect(await tab.evaluate('typeof RTCPeerConnection')).toBe('undefined')
    const state = await waitFor(tab, attribute('rtc-status', 'data-state'), v => v !== null, { what: 'the WebRTC status line' })
    expect(state).toBe('unavailable')
    expect(await tab.evaluate<string>(`document.querySelector('[data-testid="rtc-status"]').textContent`)).toContain('Direct tab-to-tab links: unavailable')
  })

  test('share link between two WebKit tabs through a host; download through the service worker', async ({ startHost, cli, tmp, webkit }) => {
    await shareThroughHost(kit({ startHost, cli, tmp, webkit }), 4 * MiB + 7)
  })

  test('tab → host and host → tab with the CLI, byte-identical; throughput printed', async ({ startHost, cli, tmp, webkit }) => {
    await throughputWithCli(kit({ startHost, cli, tmp, webkit }), 16 * MiB)
  })

  test('a video preview plays and seeks', async ({ startHost, cli, tmp, webkit }) => {
    await mediaPreview(kit({ startHost, cli, tmp, webkit }))
  })

  test('a file only a Chromium tab holds fails at once in WebKit, saying why', async ({ startHost, openTab, tmp, webkit }) => {
    const { link } = await addTabOnlyFile({ startHost, openTab, tmp }, 1 * MiB, 51)
    const tab = await webkit.openTab(link)
    await waitConnected(tab)
    const code = await waitFor(tab, attribute('open-error', 'data-code'), v => v !== null, { timeout: 25_000, what: 'an open error' })
    expect(code).toMatch(/^ERR_(UNAVAILABLE|NOT_FOUND)$/)
    expect(await tab.evaluate<string>(`document.querySelector('[data-testid="open-error-rtc"]')?.textContent ?? ''`)).toContain('direct tab-to-tab links are unavailable')
    expect(await tab.evaluate<string>(`document.querySelector('[data-testid="relay-status"]').dataset.relays`)).toBe('false')
  })

  test('a file only a Chromium tab holds opens in WebKit through a --no-store --relay host, byte-identical', async ({ startHost, openTab, cli, tmp, webkit }) => {
    const { host, link, sha, size } = await addTabOnlyFile({ startHost, openTab, tmp }, 3 * MiB + 11, 52, '64MiB')
    const tab = await webkit.openTab(link)
    await waitConnected(tab)
    expect(await tab.evaluate('typeof RTCPeerConnection')).toBe('undefined')
    expect(await waitFor(tab, attribute('relay-status', 'data-relays'), v => v === 'true', { what: 'the host relay line' })).toBe('true')
    await waitFor(tab, attribute('file-size', 'data-bytes'), v => v === String(size), { timeout: 60_000, what: 'the relayed file' })
    const fetched = await fetchDownload(tab)
    expect(fetched.status).toBe(200)
    expect(fetched.bytes).toBe(size)
    expect(fetched.sha256).toBe(sha)
    // Every byte came over the WebSocket from the host (WebKit has no other link), and the host kept none.
    // (The panel's counters refresh four times a second: wait for them to catch up.)
    const fromHost = `[...document.querySelectorAll('[data-testid="peer-row"][data-role="host"]')].reduce((n, r) => n + Number(r.dataset.bytesReceived), 0)`
    expect(await waitFor<number>(tab, fromHost, n => n >= size, { what: 'the host row counting the relayed bytes' })).toBeGreaterThanOrEqual(size)
    const status = await relayStatus(cli, host)
    expect(status).toMatchObject({ blocks: 0, relay: true, relayBudget: 64 * MiB })
    expect(status.relayedBytes).toBeGreaterThanOrEqual(size)
  })
})
