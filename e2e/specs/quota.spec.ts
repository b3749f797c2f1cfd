/**
 * Storage full is shown to the user, whichever limit is hit:
 *  - the user's own limit, set in the storage panel (the tab's block store
 *    refuses a put past it with `StorageFullError`);
 *  - the browser's: Chromium ignores CDP quota overrides, so it gets a
 *    profile on a 48 MiB tmpfs, and IndexedDB fails with the browser's own
 *    `QuotaExceededError` when the disk fills;
 *  - the "Your files" list's own write (IndexedDB made to refuse it): the add
 *    still stands and the user is told the list will not keep the file.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { chromium, type Page } from '@playwright/test'
import { addFile, MiB, waitConnected, writeRandomFile } from '../support/app.js'
import { CHROMIUM, CHROMIUM_ARGS, CONTEXT_OPTIONS } from '../support/browser.js'
import { expect, test } from '../support/fixtures.js'
import { mountSmallDisk } from '../support/small-disk.js'

/** Add `input` in `tab` and see it refused as storage full: an alert, a stable code, no link. */
async function expectStorageFull (tab: Page, input: string): Promise<void> {
  await tab.getByTestId('add-files').setInputFiles(input)
  const upload = tab.getByTestId('upload').first()
  await expect(upload).toHaveAttribute('data-state', 'error', { timeout: 60_000 })
  const error = upload.getByTestId('add-error')
  await expect(error).toHaveAttribute('data-code', 'ERR_STORAGE_FULL')
  await expect(error).toHaveText(/storage for Cairn is full/)
  await expect(upload.getByRole('alert')).toBeVisible()
  await expect(upload.getByTestId('file-link')).toHaveCount(0)
}

test('a full storage quota is shown to the user, and lifting it lets the file in', async ({ startHost, openTab, tmp }) => {
  const host = await startHost()
  const input = join(tmp, 'too-big.bin')
  await writeRandomFile(input, 24 * MiB, 11)
  const tab = await openTab(host.url)
  await waitConnected(tab)

  await tab.getByLabel(/Keep at most/).fill('4')
  await tab.getByRole('button', { name: 'Set limit' }).click()
  await expect(tab.getByTestId('storage-blocks')).toContainText('of at most 4.00 MiB')

  await expectStorageFull(tab, input)

  // The limit survives a reload, and clearing it lets the same file in.
  await tab.reload()
  await waitConnected(tab)
  await expect(tab.getByLabel(/Keep at most/)).toHaveValue('4')
  await tab.getByLabel(/Keep at most/).fill('')
  await tab.getByRole('button', { name: 'Set limit' }).click()
  await tab.getByTestId('add-files').setInputFiles(input)
  await expect(tab.getByTestId('upload').first()).toHaveAttribute('data-state', 'done', { timeout: 60_000 })
})

test('the browser\'s own QuotaExceededError, on a disk that really fills, is shown to the user', async ({ startHost, tmp }) => {
  const host = await startHost()
  const input = join(tmp, 'bigger-than-the-disk.bin')
  await writeRandomFile(input, 64 * MiB, 12)
  const disk = join(tmp, 'small-disk')
  const unmount = await mountSmallDisk(disk, 48 * MiB)
  try {
    const context = await chromium.launchPersistentContext(join(disk, 'profile'), {
      ...CONTEXT_OPTIONS, executablePath: CHROMIUM, args: CHROMIUM_ARGS
    })
    try {
      const tab = context.pages()[0] ?? await context.newPage()
      await tab.goto(host.url)
      await waitConnected(tab)
      // No limit of the user's own: only the browser can refuse the blocks.
      await expect(tab.getByLabel(/Keep at most/)).toHaveValue('')
      await expectStorageFull(tab, input)
      // The tab is still a working peer once its storage is full.
      await waitConnected(tab)
    } finally {
      await context.close()
    }
  } finally {
    unmount()
  }
})

/** IndexedDB refuses every write to the "Your files" store as the browser does when the disk is full. */
const FILE_LIST_FULL = `(() => {
  const put = IDBObjectStore.prototype.put
  IDBObjectStore.prototype.put = function (...args) {
    if (this.name === 'files') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
    return put.apply(this, args)
  }
})()`

test('"Your files" unable to save: the add stands, with its link, and the user is told the list will not keep it', async ({ startHost, openTab, tmp }) => {
  const host = await startHost()
  const input = join(tmp, 'kept-elsewhere.txt')
  await writeFile(input, 'the list cannot keep me\n')
  const tab = await openTab(host.url, { initScript: FILE_LIST_FULL })
  await waitConnected(tab)
  const { link } = await addFile(tab, input)
  expect(link).toContain('#join=')
  const upload = tab.getByTestId('upload').first()
  await expect(upload).toHaveAttribute('data-state', 'done')
  const notice = upload.getByTestId('library-error')
  await expect(notice).toHaveAttribute('data-code', 'ERR_STORAGE_FULL')
  await expect(notice).toHaveText(/not saved to "Your files"[\s\S]*storage for Cairn is full/)
  // This tab lists it until a reload; after one, the list does not have it (as the notice said).
  await expect(tab.getByTestId('library-item')).toHaveCount(1)
  await tab.reload()
  await waitConnected(tab)
  await expect(tab.getByTestId('library-item')).toHaveCount(0)
})
