/**
 * Reliability item 11: browser storage wiped under a running tab. A tab adds a
 * file (a storing host keeps a replica), then the origin's IndexedDB is
 * cleared from outside, as the browser's "clear site data" does (CDP
 * `Storage.clearDataForOrigin`, which force-closes the tab's open database
 * connections). The tab must carry on: the storage panel shows the empty
 * store, a new file can be added, and the earlier file's link still downloads
 * byte-identical from the host, in that tab and in a fresh one. The same
 * again when the databases are deleted from script (`indexedDB.deleteDatabase`,
 * as another tab could): that deletion must complete, not wait on the tab. The tab keeps
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

/** Clear this origin's IndexedDB the way "clear site data" does: open connections are forced shut. */
async function clearSiteData (page: Page): Promise<void> {
  const session = await page.context().newCDPSession(page)
  try {
    const origin = new URL(page.url()).origin
    await session.send('Storage.clearDataForOrigin', { origin, storageTypes: 'indexeddb' })
  } finally {
    await session.detach()
  }
}

/**
 * Delete every Cairn database from script in the page, as another tab of the
 * origin could. Each deletion must complete: the tab's connections give way
 * (they used to block it for the tab's whole life).
 */
async function deleteDatabases (page: Page): Promise<void> {
  const outcomes = await page.evaluate(async () => {
    const names = (await indexedDB.databases()).map(d => d.name ?? '').filter(n => n.startsWith('cairn-'))
    return await Promise.all(names.map(async name => await new Promise<string>(resolve => {
      const request = indexedDB.deleteDatabase(name)
      request.onsuccess = () => { resolve(`${name}: deleted`) }
      request.onerror = () => { resolve(`${name}: ${request.error?.name ?? 'error'}`) }
      setTimeout(() => { resolve(`${name}: still blocked after 5 s`) }, 5_000)
    })))
  })
  expect(outcomes.sort()).toEqual(['cairn-add-journal: deleted', 'cairn-blocks: deleted', 'cairn-files: deleted', 'cairn-identity: deleted'])
}

const WIPES = [
  { name: 'site data cleared', wipe: clearSiteData },
  { name: 'databases deleted from script', wipe: deleteDatabases }
]

async function databaseNames (page: Page): Promise<string[]> {
  return await page.evaluate(async () => (await indexedDB.databases()).map(d => d.name ?? '').sort())
}

async function openAndCheck (page: Page, link: string, name: string, sha: string): Promise<void> {
  await expect(page.getByTestId('file-name')).toHaveText(name, { timeout: 30_000 })
  const saved = await download(page)
  expect(await sha256File(saved), `${name} from ${link}`).toBe(sha)
}

for (const { name, wipe } of WIPES) test(`${name}: the tab keeps working, and files held by hosts still open`, async ({ startHost, openTab, tmp }) => {
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
  expect(await databaseNames(tab)).toEqual(expect.arrayContaining(['cairn-blocks', 'cairn-files', 'cairn-identity']))

  await wipe(tab)
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
