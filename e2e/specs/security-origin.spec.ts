/**
 * Issue 10 item 4 in Chromium: a page on another origin (here the test-page
 * server, another port of 127.0.0.1) cannot open a host's `/mesh`, while the
 * host's own page can; the host says on stderr whom it refused.
 */
import type { Page } from '@playwright/test'
import { expect, test } from '../support/fixtures.js'

/** Open a WebSocket from `page`; 'open' or 'error'. */
async function tryMesh (page: Page, url: string): Promise<string> {
  return await page.evaluate(async u => await new Promise<string>(resolve => {
    const ws = new WebSocket(u)
    ws.onopen = () => { ws.close(); resolve('open') }
    ws.onerror = () => { resolve('error') }
  }), url)
}

test('a page on another origin cannot open the mesh; the host\'s own page can', async ({ startHost, openTab, page, pages }) => {
  const host = await startHost()
  const mesh = `ws://127.0.0.1:${host.port}/mesh`
  await page.goto(`${pages.url}/test-pages/compliance.html`)
  expect(await tryMesh(page, mesh)).toBe('error')
  await expect.poll(() => host.log.join('\n')).toMatch(new RegExp(`refused a mesh connection from a page on ${pages.url.replace(/[.]/g, '\\.')}: not this host's origin`))
  const own = await openTab(host.url)
  expect(await tryMesh(own, mesh)).toBe('open')
})
