/**
 * Issue 14, part 3: a tab's download cut by a reload resumes from the blocks
 * already in its IndexedDB. The file comes from `cairn put` to one storing
 * host, the tab's only peer, so the host row's received-bytes counter (a
 * fresh connection after the reload) counts every block fetched after it.
 */
import { join } from 'node:path'
import { download, MiB, sha256File, waitConnected, writeRandomFile } from '../support/app.js'
import { expect, test } from '../support/fixtures.js'

const SIZE = 64 * MiB
/** A sealed content block (1 MiB of plaintext, 64 chunk tags). */
const BLOCK = 1_049_600
/** Bytes the host sends besides content blocks: the manifest block, framing, status replies. */
const OVERHEAD = 512 * 1024

test('a tab reloaded mid-download finishes from its IndexedDB blocks, fetching only the rest', async ({ startHost, openTab, cli, tmp }) => {
  const host = await startHost()
  const input = join(tmp, 'resumable.bin')
  const sha = await writeRandomFile(input, SIZE, 14)
  const put = await cli(['put', input, '--mesh', host.url, '--json'], { timeout: 120_000 })
  expect(put.code, put.stderr).toBe(0)
  const { link } = JSON.parse(put.stdout.trim().split('\n').at(-1)!) as { link: string }
  const url = link.startsWith('http') ? link : `${host.url}&file=${link}`

  const tab = await openTab(url)
  await waitConnected(tab)
  await expect(tab.getByTestId('file-name')).toHaveText('resumable.bin', { timeout: 30_000 })
  const button = tab.getByTestId('download')
  await expect(button).toBeVisible()
  await button.click()
  // Cut it by a reload once part of the file is in, well before the end.
  const progress = tab.getByTestId('download-progress')
  await expect.poll(async () => Number(await progress.getAttribute('data-bytes') ?? 0), { intervals: [20], timeout: 60_000 })
    .toBeGreaterThanOrEqual(8 * MiB)
  const cutAt = Number(await progress.getAttribute('data-bytes'))
  await tab.reload()
  expect(cutAt, 'the reload cut the download before its end').toBeLessThan(SIZE)

  await waitConnected(tab)
  await expect(tab.getByTestId('file-name')).toHaveText('resumable.bin', { timeout: 30_000 })
  const local = tab.getByTestId('local-blocks')
  await expect(local).toBeVisible({ timeout: 30_000 })
  const held = Number(await local.getAttribute('data-held'))
  const total = Number(await local.getAttribute('data-total'))
  const pct = Number(await local.getAttribute('data-percent'))
  expect(total).toBe(Math.ceil((SIZE + 16 * (SIZE / 16384 + 1)) / BLOCK))
  // Blocks read ahead of the cut are kept too; the rest were never fetched.
  expect(held, 'blocks kept from before the reload').toBeGreaterThanOrEqual(Math.floor(cutAt / MiB) - 1)
  expect(held, 'blocks kept from before the reload').toBeLessThan(total)
  await expect(local).toContainText(`resumes at ${pct}%`)

  const hostRow = tab.locator('[data-testid="peer-row"][data-role="host"]').first()
  const receivedBefore = Number(await hostRow.getAttribute('data-bytes-received'))
  expect(await sha256File(await download(tab))).toBe(sha)
  await expect(progress).toHaveAttribute('data-state', 'done')
  await expect(progress).toHaveAttribute('data-resumed-at', String(pct))
  await expect(progress).toContainText(`resumed at ${pct}%`)

  // Every content block the host sent after the reload: only the ones not held.
  await expect.poll(async () => Number(await hostRow.getAttribute('data-bytes-received'))).toBeGreaterThan(receivedBefore)
  await tab.waitForTimeout(1_000) // the peers panel refreshes its counters every 250 ms
  const received = Number(await hostRow.getAttribute('data-bytes-received'))
  const fetchedBlocks = Math.round(received / BLOCK)
  console.log(`resume: cut at ${(cutAt / MiB).toFixed(1)} MiB; ${held} of ${total} blocks (${pct}%) already in IndexedDB; ` +
    `after the reload the host sent ${received} bytes (≈${fetchedBlocks} blocks), ${SIZE - received} bytes less than the file`)
  expect(received, 'bytes from the host after the reload').toBeLessThanOrEqual((total - held) * BLOCK + OVERHEAD)
  expect(received, 'the missing blocks did come from the host').toBeGreaterThanOrEqual((total - held) * BLOCK - BLOCK)
})
