/**
 * Reliability item 11: browser storage wiped under a running tab. A tab adds a
 * file (a storing host keeps a replica), then the origin's IndexedDB is
 * cleared from outside, as the browser's "clear site data" does (CDP
 * `Storage.clearDataForOrigin`, which force-closes the tab's open database
 * connections). The tab must carry on: the storage panel shows the empty
 * store, a new file can be added, and the earlier file's link still downloads
 * byte-identical from the host, in that tab and in a fresh one. The tab keeps
 * its identity in memory until reloaded; its stored copy went with the wipe,
 * so a reload makes (and keeps) a new one.
 */
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { addFile, download, MiB, sha256File, waitConnected, writeRandomFile } from '../support/app.js'
import { expect, test } from '../support/fixtures.js'

const SIZE = 3 * MiB

/** The block count the storage panel shows (`Cairn blocks here: N (…)`). */
async function shownBlocks (page: Page): Promise<number> {
  const text = await page.getByTestId('storage-blocks').textContent() ?? ''
  const match = /Cairn blocks here: (\d+)/.exec(text)
  return match === null ? -1 : Number(match[1])
}

/** Clear this origin's IndexedDB the way "clear site data" does, under the running page. */
async function wipeIndexedDb (page: Page): Promise<void> {
  const session = await page.context().newCDPSession(page)
  try {
    const origin = new URL(page.url()).origin
    await session.send('Storage.clearDataForOrigin', { origin, storageTypes: 'indexeddb' })
  } finally {
    await session.detach()
  }
}

async function databaseNames (page: Page): Promise<string[]> {
  return await page.evaluate(async () => (await indexedDB.databases()).map(d => d.name ?? '').sort())
}

async function openAndCheck (page: Page, link: string, name: string, sha: string): Promise<void> {
  await expect(page.getByTestId('file-name')).toHaveText(name, { timeout: 30_000 })
  const saved = await download(page)
  expect(await sha256File(saved), `${name} from ${link}`).toBe(sha)
}

test('a tab whose IndexedDB is wiped keeps working, and files held by hosts still open', async ({ startHost, openTab, tmp }) => {
  const host = await startHost()
  const first = join(tmp, 'before-wipe.bin')
  const second = join(tmp, 'after-wipe.bin')
  const [firstSha, secondSha] = await Promise.all([writeRandomFile(first, SIZE, 21), writeRandomFile(second, SIZE, 22)])
  const tab = await openTab(host.url)
  const errors: string[] = []
  tab.on('pageerror', err => { errors.push(err.message) })
  await waitConnected(tab)
  const selfId = await tab.getByTestId('self-id').getAttribute('title')

  const before = await addFile(tab, first)
  expect(before.replicas, 'the storing host keeps a copy').toBeGreaterThanOrEqual(1)
  await expect.poll(async () => shownBlocks(tab)).toBeGreaterThan(0)
  expect(await databaseNames(tab)).toEqual(expect.arrayContaining(['cairn-blocks', 'cairn-identity']))

  await wipeIndexedDb(tab)
  // The wipe is real: the store's databases are gone (or reopened empty).
  await expect.poll(async () => shownBlocks(tab), { message: 'storage panel after the wipe' }).toBe(0)

  // The tab still works: it stays on the mesh with the same identity for its lifetime…
  await waitConnected(tab)
  expect(await tab.getByTestId('self-id').getAttribute('title')).toBe(selfId)
  // …adds a new file (its store recreated), and the panel counts it.
  const after = await addFile(tab, second)
  expect(after.replicas).toBeGreaterThanOrEqual(1)
  await expect.poll(async () => shownBlocks(tab)).toBeGreaterThan(0)
  expect(await databaseNames(tab)).toContain('cairn-blocks')

  // The earlier file, whose local blocks are gone, comes back from the host: in this tab…
  await tab.goto(before.link)
  await openAndCheck(tab, before.link, 'before-wipe.bin', firstSha)
  // …and in a fresh tab, along with the file added after the wipe.
  const fresh = await openTab(before.link)
  await waitConnected(fresh)
  await openAndCheck(fresh, before.link, 'before-wipe.bin', firstSha)
  await fresh.goto(after.link)
  await openAndCheck(fresh, after.link, 'after-wipe.bin', secondSha)
  expect(errors, 'uncaught errors in the wiped tab').toEqual([])

  // Reloaded, the tab starts over: its stored identity went with the wipe, so it makes and keeps a new one.
  await tab.reload()
  await waitConnected(tab)
  const reborn = await tab.getByTestId('self-id').getAttribute('title')
  expect(reborn).not.toBe(selfId)
  expect(await databaseNames(tab)).toContain('cairn-identity')
  await tab.reload()
  await waitConnected(tab)
  expect(await tab.getByTestId('self-id').getAttribute('title')).toBe(reborn)
})
