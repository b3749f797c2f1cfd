/**
 * Storage full is shown to the user. The tab's block store refuses a put past
 * its quota with `StorageFullError` (the same error a browser QuotaExceededError
 * becomes); here the quota is the user's own limit, set in the storage panel,
 * since Chromium ignores CDP quota overrides for Playwright's contexts.
 */
import { join } from 'node:path'
import { MiB, waitConnected, writeRandomFile } from '../support/app.js'
import { expect, test } from '../support/fixtures.js'

test('a full storage quota is shown to the user, and lifting it lets the file in', async ({ startHost, openTab, tmp }) => {
  const host = await startHost()
  const input = join(tmp, 'too-big.bin')
  await writeRandomFile(input, 24 * MiB, 11)
  const tab = await openTab(host.url)
  await waitConnected(tab)

  await tab.getByLabel(/Keep at most/).fill('4')
  await tab.getByRole('button', { name: 'Set limit' }).click()
  await expect(tab.getByTestId('storage-blocks')).toContainText('of at most 4.00 MiB')

  await tab.getByTestId('add-files').setInputFiles(input)
  const upload = tab.getByTestId('upload').first()
  await expect(upload).toHaveAttribute('data-state', 'error', { timeout: 30_000 })
  const error = upload.getByTestId('add-error')
  await expect(error).toHaveAttribute('data-code', 'ERR_STORAGE_FULL')
  await expect(error).toHaveText(/storage for Cairn is full/)
  await expect(upload.getByRole('alert')).toBeVisible()
  await expect(upload.getByTestId('file-link')).toHaveCount(0)

  // The limit survives a reload, and clearing it lets the same file in.
  await tab.reload()
  await waitConnected(tab)
  await expect(tab.getByLabel(/Keep at most/)).toHaveValue('4')
  await tab.getByLabel(/Keep at most/).fill('')
  await tab.getByRole('button', { name: 'Set limit' }).click()
  await tab.getByTestId('add-files').setInputFiles(input)
  await expect(tab.getByTestId('upload').first()).toHaveAttribute('data-state', 'done', { timeout: 60_000 })
})
