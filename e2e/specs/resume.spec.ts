/**
 * Issue 14, part 3: a tab's download cut by a reload resumes from the blocks
 * already in its IndexedDB. The file comes from `cairn put` to one storing
 * host, the tab's only peer, so the host row's received-bytes counter (a
 * fresh connection after the reload) counts every block fetched after it.
 * A tab's add cut by a reload resumes when the same file is added again:
 * same key (so the same link), and the blocks the host holds are not sent.
 */
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { addFile, download, MiB, sha256File, waitConnected, writeRandomFile } from '../support/app.js'
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
  await panelRefreshed(tab)
  const received = Number(await hostRow.getAttribute('data-bytes-received'))
  const fetchedBlocks = Math.round(received / BLOCK)
  console.log(`resume: cut at ${(cutAt / MiB).toFixed(1)} MiB; ${held} of ${total} blocks (${pct}%) already in IndexedDB; ` +
    `after the reload the host sent ${received} bytes (≈${fetchedBlocks} blocks), ${SIZE - received} bytes less than the file`)
  expect(received, 'bytes from the host after the reload').toBeLessThanOrEqual((total - held) * BLOCK + OVERHEAD)
  expect(received, 'the missing blocks did come from the host').toBeGreaterThanOrEqual((total - held) * BLOCK - BLOCK)
})

/** Resolve once the peers panel has refreshed its counters after this call (it does every 250 ms). */
async function panelRefreshed (page: Page): Promise<void> {
  const table = page.getByTestId('peers-table')
  const seen = Number(await table.getAttribute('data-renders'))
  await expect.poll(async () => Number(await table.getAttribute('data-renders'))).toBeGreaterThan(seen)
}

/** The tab's add journals: each file's key (base64url) and how many block ids it lists. */
async function journals (page: Page): Promise<Array<{ name: string, key: string, ids: number }>> {
  return await page.evaluate(async () => await new Promise((resolve, reject) => {
    const open = indexedDB.open('cairn-add-journal')
    open.onupgradeneeded = () => { open.result.createObjectStore('journal') }
    open.onerror = () => { reject(open.error) }
    open.onsuccess = () => {
      const request = open.result.transaction('journal').objectStore('journal').openCursor()
      const found = new Map<string, { name: string, key: string, ids: number }>()
      request.onerror = () => { reject(request.error) }
      request.onsuccess = () => {
        const cursor = request.result
        if (cursor === null) { open.result.close(); resolve([...found.values()]); return }
        const k = String(cursor.key)
        const name = k.startsWith('h:') ? k.slice(2) : k.slice(2, k.lastIndexOf(':'))
        const entry = found.get(name) ?? { name, key: '', ids: 0 }
        if (k.startsWith('h:')) {
          const bytes = (cursor.value as { key: Uint8Array }).key
          entry.key = btoa(String.fromCharCode(...bytes)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')
        } else {
          entry.ids++
        }
        found.set(name, entry)
        cursor.continue()
      }
    }
  }))
}

test('a tab\'s add cut by a reload resumes when the same file is added again: same link, held blocks not sent', async ({ startHost, openTab, cli, tmp }) => {
  const host = await startHost()
  const input = join(tmp, 'resumed-add.bin')
  const sha = await writeRandomFile(input, SIZE, 15)
  const tab = await openTab(host.url)
  await waitConnected(tab)
  await tab.getByTestId('add-files').setInputFiles(input)
  // Cut it by a reload once part of the file is on the host, well before the end.
  await expect.poll(async () => (await journals(tab))[0]?.ids ?? 0, { intervals: [50], timeout: 60_000 }).toBeGreaterThanOrEqual(12)
  await tab.reload()
  const [cut] = await journals(tab)
  expect(cut, 'the interrupted add left its journal').toBeDefined()
  expect(cut!.ids, 'the reload cut the add before its end').toBeLessThan(65)

  await waitConnected(tab)
  const hostRow = tab.locator('[data-testid="peer-row"][data-role="host"]').first()
  const sentBefore = Number(await hostRow.getAttribute('data-bytes-sent'))
  const { link, replicas } = await addFile(tab, input)
  expect(replicas).toBeGreaterThanOrEqual(1)
  // The same key: the link the interrupted add would have printed.
  expect(link.split('.').at(-1)).toBe(cut!.key)
  const upload = tab.getByTestId('upload').first()
  const resumed = Number(await upload.getAttribute('data-resumed'))
  expect(resumed, 'plaintext bytes not sent again').toBeGreaterThanOrEqual(MiB)
  await expect(upload).toContainText(`resumed at ${Math.floor(resumed / SIZE * 100)}%`)
  expect(await journals(tab), 'the journal is gone once the add completes').toEqual([])

  await panelRefreshed(tab)
  const sent = Number(await hostRow.getAttribute('data-bytes-sent')) - sentBefore
  console.log(`resume add: cut with ${cut!.ids} blocks journaled; the re-add skipped ${resumed / MiB} MiB the host held and sent ${sent} bytes, ${SIZE - sent} less than the file`)
  expect(sent, 'bytes sent to the host by the re-add').toBeLessThanOrEqual(SIZE - resumed + (resumed / MiB + 1) * (BLOCK - MiB) + OVERHEAD)

  const out = join(tmp, 'fetched.bin')
  const get = await cli(['get', link, '-o', out], { timeout: 120_000 })
  expect(get.code, get.stderr).toBe(0)
  expect(await sha256File(out)).toBe(sha)
})
