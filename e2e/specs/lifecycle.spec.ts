/**
 * Issue 13 in the web app: a tab adds a file with an expiry, another tab
 * opening its link sees the same expiry; the adding tab deletes it from the
 * mesh ("Your files" → Delete), and another tab opening the link is told the
 * owner deleted it (as is `cairn get`, exit 5).
 */
import { join } from 'node:path'
import { addFile, waitConnected, writeRandomFile } from '../support/app.js'
import { expect, test } from '../support/fixtures.js'

test('expiry chosen in the add panel shows in another tab; the owner tab deletes, another tab is told so', async ({ startHost, openTab, cli, tmp }) => {
  const host = await startHost()
  const input = join(tmp, 'short-lived.bin')
  await writeRandomFile(input, 300_000, 13)

  const owner = await openTab(host.url)
  await waitConnected(owner)
  await owner.getByTestId('add-expiry').selectOption('86400')
  const before = Date.now()
  const { link } = await addFile(owner, input)
  const after = Date.now()
  const upload = owner.getByTestId('upload').first()
  const expires = Number(await upload.getByTestId('file-expiry').getAttribute('data-expires'))
  // A day from when the file was chosen (the page's clock is this machine's).
  expect(expires).toBeGreaterThanOrEqual(before + 86_400_000)
  expect(expires).toBeLessThanOrEqual(after + 86_400_000)

  const other = await openTab(link)
  await waitConnected(other)
  await expect(other.getByTestId('file-name')).toHaveText('short-lived.bin', { timeout: 30_000 })
  const seen = other.getByTestId('opened-file').getByTestId('file-expiry')
  await expect(seen).toHaveAttribute('data-expires', String(expires), { timeout: 15_000 })
  await expect(seen).toContainText('Expires')
  // Its "Your files" list keeps it too.
  await expect(other.getByTestId('library-item').getByTestId('file-expiry')).toHaveAttribute('data-expires', String(expires))

  // Only the tab that added it holds the owner secret: the other tab's list has no Delete.
  await expect(other.getByTestId('library-item')).toHaveCount(1)
  await expect(other.getByTestId('delete-file')).toHaveCount(0)
  const mine = owner.getByTestId('library-item').filter({ hasText: 'short-lived.bin' })
  await mine.getByTestId('delete-file').click()
  await expect(owner.getByTestId('library-item')).toHaveCount(0, { timeout: 30_000 })

  const late = await openTab(link)
  await waitConnected(late)
  const error = late.getByTestId('open-error')
  await expect(error).toHaveAttribute('data-code', 'ERR_DELETED', { timeout: 30_000 })
  await expect(error).toContainText('deleted by its owner')

  const get = await cli(['get', link, '-o', join(tmp, 'never.bin')])
  expect(get.code, get.stderr).toBe(5)
  expect(get.stderr).toMatch(/removed by its owner/)
})
