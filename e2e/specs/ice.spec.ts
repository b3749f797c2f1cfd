/**
 * A host hands tabs its ICE servers (`cairn host --ice-server`), and each tab
 * builds its WebRTC links with them. The servers here are closed loopback
 * ports, so gathering finds nothing through them and the tabs still link over
 * their loopback host candidates; what is checked is that the list arrived,
 * is shown, and went into every `RTCPeerConnection` the tabs made.
 */
import { join } from 'node:path'
import type { BrowserContext, Page } from '@playwright/test'
import { addFile, download, MiB, sha256File, waitConnected, waitPeers, writeRandomFile } from '../support/app.js'
import { CONTEXT_OPTIONS } from '../support/browser.js'
import { expect, test } from '../support/fixtures.js'

const STUN = 'stun:127.0.0.1:9'
const TURN = 'turn:127.0.0.1:9?transport=udp'

/** Before any page script: remember the configuration of every RTCPeerConnection made. */
function recordRtcConfigs (): void {
  const Native = window.RTCPeerConnection
  const configs: unknown[] = []
  Object.assign(window, { rtcConfigs: configs })
  window.RTCPeerConnection = class extends Native {
    constructor (config?: RTCConfiguration) {
      configs.push(JSON.parse(JSON.stringify(config ?? {})))
      super(config)
    }
  }
}

test('tabs get the host\'s ICE servers, show them, and build their WebRTC links with them', async ({ browser, startHost, tmp }) => {
  const host = await startHost({ noStore: true, extraArgs: ['--ice-server', STUN, '--ice-server', `turn:cairn:s%40cret@127.0.0.1:9?transport=udp`] })
  const input = join(tmp, 'ice.bin')
  const sha = await writeRandomFile(input, 4 * MiB, 5)
  const contexts: BrowserContext[] = []
  const open = async (url: string): Promise<Page> => {
    const context = await browser.newContext(CONTEXT_OPTIONS)
    contexts.push(context)
    await context.addInitScript(recordRtcConfigs)
    const page = await context.newPage()
    await page.goto(url)
    await waitConnected(page)
    return page
  }
  try {
    const a = await open(host.url)
    const shown = a.getByTestId('ice-servers')
    await expect(shown).toHaveAttribute('data-count', '2')
    await expect(shown).toContainText(STUN)
    await expect(shown).toContainText(TURN)
    await expect(shown, 'credentials are not shown').not.toContainText('s@cret')
    const added = await addFile(a, input)
    const b = await open(added.link)
    await expect(b.getByTestId('ice-servers')).toHaveAttribute('data-count', '2')
    await waitPeers(b, 'webrtc')
    expect(await sha256File(await download(b))).toBe(sha)

    const expected = { iceServers: [{ urls: [STUN] }, { urls: [TURN], username: 'cairn', credential: 's@cret' }] }
    for (const page of [a, b]) {
      const configs = await page.evaluate(() => (window as unknown as { rtcConfigs: unknown[] }).rtcConfigs)
      expect(configs.length, 'RTCPeerConnections made').toBeGreaterThan(0)
      for (const config of configs) expect(config).toMatchObject(expected)
    }
  } finally {
    await Promise.all(contexts.map(async c => { await c.close() }))
  }
})
