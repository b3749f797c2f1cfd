/**
 * Issue 16: a folder shared from a tab. One tab picks a directory (nested
 * folders, a unicode name, a larger file); another opens the folder link,
 * sees the listing with sizes, steps into a subfolder, downloads one file
 * (streamed, as any file) and then the whole folder as a streamed ZIP, whose
 * entries `unzip` finds byte for byte equal to the originals.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { download, MiB, sha256File, waitConnected, writeRandomFile } from '../support/app.js'
import { expect, test } from '../support/fixtures.js'

const UNZIP = '/usr/bin/unzip'

/** relative path → sha256 of every file under `dir` (directories as 'dir'). */
async function tree (dir: string, root = dir): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const name of await readdir(dir)) {
    const path = join(dir, name)
    const rel = relative(root, path)
    if ((await stat(path)).isDirectory()) Object.assign(out, { [rel]: 'dir' }, await tree(path, root))
    else out[rel] = await sha256File(path)
  }
  return out
}

test('a tab adds a folder; another lists it, downloads one file and the whole folder as a ZIP, byte for byte', async ({ startHost, openTab, tmp }) => {
  // Fails loudly, never skips: the ZIP is checked by a real unzip.
  expect(existsSync(UNZIP), `${UNZIP} is needed (apt-get install -y unzip)`).toBe(true)
  const host = await startHost()
  const src = join(tmp, 'holiday')
  await mkdir(join(src, 'photos', 'raw'), { recursive: true })
  await mkdir(join(src, 'notes'))
  await writeFile(join(src, 'readme.txt'), 'a folder from a tab\n')
  await writeFile(join(src, 'notes', 'ünïcødé – 日本.txt'), 'unicode name\n')
  await writeRandomFile(join(src, 'photos', 'big.bin'), 3 * MiB + 4321, 5)
  await writeRandomFile(join(src, 'photos', 'raw', 'small.bin'), 70_000, 6)
  const original = await tree(src)

  const adder = await openTab(host.url)
  await waitConnected(adder)
  await adder.getByTestId('add-folder').setInputFiles(src)
  const upload = adder.locator('[data-testid="upload"][data-kind="folder"]').first()
  await expect(upload).toHaveAttribute('data-state', /done|error/, { timeout: 90_000 })
  expect(await upload.getByTestId('add-error').count()).toBe(0)
  const link = await upload.getByTestId('file-link').inputValue()
  expect(link).toMatch(/#join=.*&file=bafkrei/)

  const reader = await openTab(link)
  await waitConnected(reader)
  const folder = reader.getByTestId('opened-folder')
  await expect(folder.getByTestId('folder-name')).toHaveText('holiday', { timeout: 30_000 })
  const listing = folder.getByTestId('folder-listing')
  await expect(listing).toHaveAttribute('data-state', 'listed', { timeout: 30_000 })
  const rows = listing.getByTestId('folder-entry')
  await expect(rows).toHaveCount(3)
  expect(await rows.evaluateAll(els => els.map(el => [el.getAttribute('data-name'), el.getAttribute('data-kind'), el.getAttribute('data-bytes')])))
    .toEqual([['notes', 'dir', null], ['photos', 'dir', null], ['readme.txt', 'file', '20']])

  // Into photos/: sizes listed; open big.bin there and download it (streamed through the service worker).
  await rows.filter({ hasText: 'photos/' }).getByRole('button').click()
  await expect(folder.getByTestId('folder-path')).toContainText('photos')
  await expect(listing.locator('[data-testid="folder-entry"][data-name="big.bin"]')).toHaveAttribute('data-bytes', String(3 * MiB + 4321), { timeout: 30_000 })
  await listing.locator('[data-testid="folder-entry"][data-name="big.bin"]').getByRole('button').click()
  await expect(reader.getByTestId('file-name')).toHaveText('big.bin', { timeout: 30_000 })
  expect(await sha256File(await download(reader))).toBe(original['photos/big.bin'])

  // Back to the top, and the whole folder as one ZIP.
  await folder.getByTestId('folder-path').getByRole('button', { name: 'holiday' }).click()
  await expect(rows).toHaveCount(3, { timeout: 30_000 })
  await folder.getByTestId('prepare-zip').click()
  const zipLink = folder.getByTestId('download-zip')
  await expect(zipLink).toBeVisible({ timeout: 30_000 })
  const predicted = Number(await zipLink.getAttribute('data-bytes'))
  const [started] = await Promise.all([reader.waitForEvent('download', { timeout: 15_000 }), zipLink.click()])
  expect(started.suggestedFilename()).toBe('holiday.zip')
  expect(await started.failure()).toBeNull()
  const zip = await started.path()
  expect((await stat(zip)).size).toBe(predicted)
  const out = join(tmp, 'unzipped')
  const unzip = spawnSync(UNZIP, ['-q', zip, '-d', out], { encoding: 'utf8' })
  expect(unzip.status, unzip.stderr).toBe(0)
  expect(await tree(out)).toEqual(original)
})
