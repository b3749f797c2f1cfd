/**
 * Issue 10 item 3: share links made in the web app carry the member token
 * only, never the host key (nor anything it can be derived from), and a tab
 * keeps nothing of it.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { addFile, waitConnected } from '../support/app.js'
import { expect, test } from '../support/fixtures.js'

test('a share link from the web app carries the member token, never the host key', async ({ startHost, openTab, tmp }) => {
  const host = await startHost()
  const hostKey = decodeURIComponent(new URL(host.peerUrl).hash.replace(/^#host=/, ''))
  const member = new URL(host.url).hash.replace(/^#join=/, '')
  expect(hostKey.length).toBeGreaterThanOrEqual(43)
  expect(member).not.toBe(hostKey)
  const page = await openTab(host.url)
  await waitConnected(page)
  const file = join(tmp, 'shared.txt')
  await writeFile(file, 'shared with a member\n')
  const added = await addFile(page, file)
  // The library's copy of it (its QR code shows the same link).
  const item = page.getByTestId('library-item').first()
  await item.getByRole('button', { name: 'QR code' }).click()
  const inLibrary = await item.getByTestId('file-link').inputValue()
  const label = await item.getByTestId('file-link-label').getAttribute('href')
  for (const link of [added.link, inLibrary, label ?? '']) {
    expect(link).not.toContain(hostKey)
    expect(link).not.toContain(encodeURIComponent(hostKey))
    const fragment = new URLSearchParams(new URL(link).hash.slice(1))
    expect([...fragment.keys()].sort()).toEqual(['file', 'join'])
    expect(fragment.get('join')).toBe(member)
  }
  // Nothing the tab keeps holds it either.
  const kept = await page.evaluate(() => JSON.stringify({ session: { ...sessionStorage }, local: { ...localStorage }, href: location.href }))
  expect(kept).not.toContain(hostKey)
})

test('a peer URL opened in a browser leaves nothing of the host key in the tab', async ({ startHost, openTab }) => {
  const host = await startHost()
  const hostKey = decodeURIComponent(new URL(host.peerUrl).hash.replace(/^#host=/, ''))
  const page = await openTab(host.peerUrl)
  // It is no join link: the page asks for one, and the address bar and history lose the key.
  await expect(page.getByTestId('join-needed')).toBeVisible()
  await expect.poll(() => page.evaluate(() => location.href)).not.toContain('host=')
  const kept = await page.evaluate(() => JSON.stringify({ session: { ...sessionStorage }, local: { ...localStorage }, href: location.href, body: document.body.innerText }))
  expect(kept).not.toContain(hostKey)
})
