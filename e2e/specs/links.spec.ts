/** (f) Bad, truncated and wrong-key links show a clear error, never a download. */
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { addFile, MiB, waitConnected, writeRandomFile } from '../support/app.js'
import { expect, test } from '../support/fixtures.js'

async function openPasted (page: Page, text: string): Promise<void> {
  await page.getByLabel('Share link', { exact: true }).fill(text)
  await page.getByRole('button', { name: 'Open', exact: true }).click()
}

async function expectError (page: Page, code: string, text: RegExp): Promise<void> {
  const error = page.getByTestId('open-error')
  await expect(error).toBeVisible()
  await expect(error).toHaveAttribute('data-code', code)
  await expect(error).toHaveText(text)
  await expect(page.getByRole('alert').filter({ hasText: text })).toBeVisible()
  await expect(page.getByTestId('download')).toHaveCount(0)
}

test('(f) a bad or truncated link shows a clear error', async ({ startHost, openTab, tmp }) => {
  const host = await startHost()
  const input = join(tmp, 'small.bin')
  await writeRandomFile(input, MiB, 3)
  const a = await openTab(host.url)
  await waitConnected(a)
  const { link } = await addFile(a, input)

  // Opened from the address bar with the end of the key cut off.
  const truncated = link.slice(0, -5)
  const b = await openTab(truncated)
  await waitConnected(b)
  await expectError(b, 'ERR_LINK', /not a valid Cairn link.*incomplete/)

  // Garbage pasted into the form.
  await openPasted(b, 'definitely-not-a-link')
  await expectError(b, 'ERR_LINK', /not a valid Cairn link/)

  // A root that is not a block id.
  await openPasted(b, link.replace(/file=bafkrei/, 'file=bafyrei'))
  await expectError(b, 'ERR_LINK', /not a valid Cairn link/)

  // Well-formed, but with another key: the manifest does not decrypt.
  const key = /\.([A-Za-z0-9_-]{22})$/.exec(link)![1]!
  const otherKey = `${key[0] === 'A' ? 'B' : 'A'}${key.slice(1)}`
  await openPasted(b, link.replace(key, otherKey))
  await expectError(b, 'ERR_DECRYPT', /key is wrong/)

  // The right link still opens in the same tab afterwards.
  await openPasted(b, link)
  await expect(b.getByTestId('file-name')).toHaveText('small.bin')
  await expect(b.getByTestId('open-error')).toHaveCount(0)
})

test('a join link with the wrong token says the host refused the tab', async ({ startHost, openTab }) => {
  const host = await startHost()
  const wrong = host.url.replace(/#join=.*/, '#join=not-the-token')
  const tab = await openTab(wrong)
  const error = tab.getByTestId('connection-error')
  await expect(error).toBeVisible()
  await expect(error).toHaveText(/refused this tab.*token/)
  await expect(tab.getByTestId('connection-state')).not.toHaveAttribute('data-state', 'connected')
})
