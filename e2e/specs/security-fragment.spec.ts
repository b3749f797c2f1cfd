/**
 * The join token leaves the address bar and the tab's history once read
 * (issue 10, item 7). A tab opened from `#join=T&file=F` shows `#file=F`
 * only, in `location` and in every history entry; a reload still joins (the
 * token stays in the tab's sessionStorage) and reopens the file; a link
 * pasted into the address bar of a running tab is cleaned the same way; the
 * share links the UI offers still carry the token.
 */
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { addFile, MiB, waitConnected, writeRandomFile } from '../support/app.js'
import { expect, test } from '../support/fixtures.js'

/** Every URL in the tab's session history (what back/forward and the history list hold). */
async function historyUrls (page: Page): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page)
  try {
    const { entries } = await cdp.send('Page.getNavigationHistory')
    return entries.map(entry => entry.url)
  } finally {
    await cdp.detach()
  }
}

test('the join token leaves the address bar and history; reloads and share links still work', async ({ startHost, openTab, tmp }) => {
  const host = await startHost()
  const token = new URL(host.url).hash.replace(/^#join=/, '')
  expect(token).toMatch(/^[A-Za-z0-9_-]{22}$/)
  await writeRandomFile(join(tmp, 'one.bin'), MiB, 11)
  await writeRandomFile(join(tmp, 'two.bin'), MiB, 12)
  const a = await openTab(host.url)
  await waitConnected(a)
  const one = await addFile(a, join(tmp, 'one.bin'))
  const two = await addFile(a, join(tmp, 'two.bin'))
  // The adding tab's own address bar lost the token too.
  expect(a.url()).not.toContain(token)
  for (const url of await historyUrls(a)) expect(url).not.toContain(token)

  const file = (link: string): string => new URL(link).hash.replace(/^.*[#&]file=/, '')
  const b = await openTab(one.link)
  await waitConnected(b)
  await expect(b.getByTestId('file-name')).toHaveText('one.bin', { timeout: 30_000 })
  expect(b.url()).toBe(`${new URL(host.url).origin}/#file=${file(one.link)}`)
  for (const url of await historyUrls(b)) expect(url).not.toContain(token)

  // The share link the UI offers still carries the token.
  expect(await b.getByTestId('opened-file').getByTestId('file-link').inputValue()).toBe(one.link)

  // A reload joins again and reopens the file.
  await b.reload()
  await waitConnected(b)
  await expect(b.getByTestId('file-name')).toHaveText('one.bin', { timeout: 30_000 })
  expect(b.url()).not.toContain(token)

  // A full link pasted into the running tab's address bar opens, then is cleaned.
  await b.goto(two.link)
  await expect(b.getByTestId('file-name')).toHaveText('two.bin', { timeout: 30_000 })
  await expect.poll(() => b.url()).toBe(`${new URL(host.url).origin}/#file=${file(two.link)}`)
  for (const url of await historyUrls(b)) expect(url).not.toContain(token)
  await waitConnected(b)
})
