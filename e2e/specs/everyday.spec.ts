/**
 * First run and everyday use of the web app (issue 9): the bare host URL,
 * a missing file, share links (label, copy, QR), download progress, two tabs
 * of one browser, live byte counters, readable peer names, copies against
 * the target, and the layout at desktop and phone width.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { addFile, download, MiB, sha256File, waitConnected, waitPeers, writeRandomFile } from '../support/app.js'
import { CONTEXT_OPTIONS } from '../support/browser.js'
import { expect, test } from '../support/fixtures.js'
import { readQr } from '../support/qr.js'

const tokenOf = (url: string): string => new URL(url).hash.replace(/^#join=/, '')

/** The share link of the newest upload. */
async function newestLink (page: Page): Promise<string> {
  return await page.getByTestId('upload').first().getByTestId('file-link').inputValue()
}

test.describe('the bare host URL', () => {
  test('asks for a join link instead of retrying, and joins with the pasted link', async ({ startHost, openTab, tmp }) => {
    const host = await startHost()
    const page = await openTab(`http://127.0.0.1:${host.port}/`)
    const ask = page.getByTestId('join-needed')
    await expect(ask).toBeVisible()
    await expect(ask).toContainText('join link')
    await expect(ask).toContainText('#join=')
    // Nothing that could make a link without a token, and no retry loop.
    await expect(page.getByTestId('add-files')).toHaveCount(0)
    await expect(page.getByTestId('connection-state')).toHaveCount(0)

    await page.getByTestId('join-input').fill(host.url)
    await page.getByTestId('join-submit').click()
    await waitConnected(page)
    const file = join(tmp, 'after-join.txt')
    await writeFile(file, 'joined\n')
    const added = await addFile(page, file)
    expect(added.link).toContain(`#join=${tokenOf(host.url)}&file=`)
  })

  test('a refused join link asks for another instead of retrying forever', async ({ startHost, openTab }) => {
    const host = await startHost()
    const page = await openTab(`http://127.0.0.1:${host.port}/#join=not-the-token`)
    const ask = page.getByTestId('join-needed')
    await expect(ask).toBeVisible({ timeout: 20_000 })
    await expect(ask).toContainText('refused')
    await expect(page.getByTestId('add-files')).toHaveCount(0)
    // It stays refused: no reconnecting in the background (the old page flipped between connecting and disconnected).
    // The tab has stopped (its dial loop ended), so nothing can dial again.
    await expect(page.locator('body[data-tab="stopped"]')).toHaveCount(1)
    await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'refused')
    await expect(page.getByTestId('connection-error')).toContainText('refused this tab')
  })

  test('works as it is on an --open host, and its links open elsewhere', async ({ startHost, openTab, tmp }) => {
    const host = await startHost({ extraArgs: ['--open'] })
    const a = await openTab(`http://127.0.0.1:${host.port}/`)
    await waitConnected(a)
    await expect(a.getByTestId('join-needed')).toHaveCount(0)
    const file = join(tmp, 'open.txt')
    await writeFile(file, 'open mesh\n')
    const added = await addFile(a, file)
    expect(added.link).not.toContain('join=')
    const b = await openTab(added.link)
    await expect(b.getByTestId('file-name')).toHaveText('open.txt', { timeout: 30_000 })
  })
})

test('a missing file is reported as soon as every connected host has answered', async ({ startHost, openTab, cli, tmp }) => {
  // A real link whose blocks live on another mesh only.
  const elsewhere = await startHost()
  const file = join(tmp, 'elsewhere.txt')
  await writeFile(file, 'not on this mesh\n')
  const put = await cli(['put', file, '--mesh', elsewhere.url])
  expect(put.code, put.stderr).toBe(0)
  const plain = put.stdout.trim().split('&file=')[1]!

  const host = await startHost()
  const page = await openTab(host.url)
  await waitConnected(page)
  const started = Date.now()
  await page.locator('#open-input').fill(plain)
  await page.locator('#open-input').press('Enter')
  await expect(page.getByTestId('open-error')).toHaveAttribute('data-code', 'ERR_UNAVAILABLE', { timeout: 10_000 })
  const took = Date.now() - started
  console.log(`missing file reported after ${took} ms`)
  expect(took, 'the CLI answers in under a second; the tab used to wait 30 s').toBeLessThan(5_000)
})

test('share links: a label per file, the whole link copied, and a QR code that reads as the link', async ({ startHost, openTab, tmp }) => {
  const host = await startHost()
  const page = await openTab(host.url)
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: `http://127.0.0.1:${host.port}` })
  await waitConnected(page)
  const links: string[] = []
  const labels: string[] = []
  for (const name of ['one.txt', 'two.txt']) {
    const path = join(tmp, name)
    await writeFile(path, `${name}\n`)
    await addFile(page, path)
    const upload = page.getByTestId('upload').first()
    const link = await upload.getByTestId('file-link').inputValue()
    const root = link.split('&file=')[1]!.split('.')[0]!
    const label = (await upload.getByTestId('file-link-label').textContent()) ?? ''
    expect(label, 'the label shows which file the link is for').toContain(root.slice(0, 10))
    await expect(upload.getByTestId('file-link-label')).toBeVisible()
    await upload.getByTestId('copy-link').click()
    await expect(upload.getByTestId('copy-link')).toHaveText('Copied')
    expect(await page.evaluate(async () => await navigator.clipboard.readText())).toBe(link)
    expect(await readQr(upload.getByTestId('share-qr'))).toBe(link)
    links.push(link)
    labels.push(label)
  }
  expect(labels[0]).not.toBe(labels[1])
  expect(links[0]).not.toBe(links[1])

  // The opened file's card has its QR code too.
  const b = await openTab(links[0]!)
  await expect(b.getByTestId('file-name')).toHaveText('one.txt', { timeout: 30_000 })
  expect(await readQr(b.getByTestId('opened-file').getByTestId('share-qr'))).toBe(links[0])
})

test('a download shows its progress in the page', async ({ startHost, openTab, tmp }) => {
  const host = await startHost()
  const input = join(tmp, 'progress.bin')
  const size = 12 * MiB + 3
  const sha = await writeRandomFile(input, size, 9)
  const a = await openTab(host.url)
  await waitConnected(a)
  const added = await addFile(a, input)
  const b = await openTab(added.link)
  const progress = b.getByTestId('download-progress')
  await expect(progress).toBeHidden()
  const saved = await download(b)
  expect(await sha256File(saved)).toBe(sha)
  await expect(progress).toHaveAttribute('data-state', 'done')
  await expect(progress).toHaveAttribute('data-bytes', String(size))
  await expect(progress).toContainText('100%')
})

test('two tabs of one browser list the same files in the same order; only the adding tab says "added here"', async ({ startHost, browser, tmp }) => {
  const host = await startHost()
  const context = await browser.newContext(CONTEXT_OPTIONS)
  try {
    const a = await context.newPage()
    const b = await context.newPage()
    await a.goto(host.url)
    await b.goto(host.url)
    await waitConnected(a)
    await waitConnected(b)
    const roots: Record<string, string> = {}
    for (const [page, name] of [[a, 'first.txt'], [b, 'second.txt'], [a, 'third.txt']] as const) {
      const path = join(tmp, name)
      await writeFile(path, `${name}\n`)
      const { link } = await addFile(page, path)
      roots[name] = link.split('&file=')[1]!.split('.')[0]!
    }
    const order = async (page: Page): Promise<string[]> =>
      await page.getByTestId('library-item').evaluateAll(items => items.map(i => i.getAttribute('data-root') ?? ''))
    const newestFirst = [roots['third.txt'], roots['second.txt'], roots['first.txt']]
    await expect.poll(async () => await order(a)).toEqual(newestFirst)
    await expect.poll(async () => await order(b)).toEqual(newestFirst)
    const originOf = (page: Page, name: string): Promise<string | null> =>
      page.locator(`[data-testid="library-item"][data-root="${roots[name]!}"] [data-testid="file-origin"]`).textContent()
    expect(await originOf(a, 'first.txt')).toBe('added here')
    expect(await originOf(a, 'second.txt')).toBe('added in another tab')
    expect(await originOf(b, 'first.txt')).toBe('added in another tab')
    expect(await originOf(b, 'second.txt')).toBe('added here')
    await b.reload()
    await waitConnected(b)
    await expect.poll(async () => await order(b)).toEqual(newestFirst)
    expect(await originOf(b, 'second.txt'), 'a reload keeps the tab\'s identity').toBe('added here')
  } finally {
    await context.close()
  }
})

test('the Mesh byte counters keep up with an upload', async ({ startHost, openTab, tmp }) => {
  const host = await startHost()
  const input = join(tmp, 'counted.bin')
  const size = 24 * MiB
  await writeRandomFile(input, size, 5)
  const page = await openTab(host.url)
  await waitConnected(page)
  // Watch the host row's "sent" counter every 20 ms while the upload runs.
  await page.evaluate(() => {
    const w = window as unknown as { changes: number[], sentAtDone?: number }
    w.changes = []
    let last = ''
    const watch = (): void => {
      const upload = document.querySelector('[data-testid="upload"]')
      const sent = document.querySelector('[data-testid="peer-row"][data-role="host"]')?.getAttribute('data-bytes-sent') ?? ''
      if (upload !== null && sent !== last) w.changes.push(performance.now())
      last = sent
      if (upload?.getAttribute('data-state') === 'done') {
        w.sentAtDone = Number(sent)
        return
      }
      setTimeout(watch, 20)
    }
    watch()
  })
  await addFile(page, input)
  const { changes, sentAtDone } = await page.evaluate(() => {
    const w = window as unknown as { changes: number[], sentAtDone?: number }
    return { changes: w.changes, sentAtDone: w.sentAtDone }
  })
  expect(sentAtDone, 'bytes sent to the host, as shown when the upload finished').toBeGreaterThan(size)
  const gaps = changes.slice(1).map((t, i) => t - changes[i]!)
  console.log(`counter updates during the upload: ${changes.length}, longest gap ${Math.round(Math.max(...gaps))} ms`)
  // The gap is only reported: it depends on how busy the machine is. The panel refreshes every
  // 250 ms and at the moment an upload finishes, which the assertion above checks exactly.
  expect(changes.length, 'the counter moved while the upload ran').toBeGreaterThanOrEqual(4)
  const shown = (await page.locator('[data-testid="peer-row"][data-role="host"] td.num').first().textContent()) ?? ''
  expect(shown).toMatch(/^24\.\d MiB$/)
})

test('hosts and tabs have readable names', async ({ startHost, openTab }) => {
  const host = await startHost({ extraArgs: ['--name', 'shelf'] })
  const a = await openTab(host.url)
  const b = await openTab(host.url)
  await waitConnected(a)
  await waitPeers(a, 'webrtc')
  const hostRow = a.locator('[data-testid="peer-row"][data-role="host"]')
  await expect(hostRow).toHaveAttribute('data-name', 'shelf')
  await expect(hostRow.locator('td').first()).toContainText('shelf')
  const tabRow = a.locator('[data-testid="peer-row"][data-role="browser"]')
  const tabName = await tabRow.getAttribute('data-name')
  expect(tabName).toMatch(/^\S.* on Linux$/)
  await expect(tabRow.locator('td').first()).toContainText(tabName!)
  await expect(b.getByTestId('self-name')).toHaveText(tabName!)
})

test('copies are shown against the replica target, as a warning when below it', async ({ startHost, openTab, tmp }) => {
  const path = join(tmp, 'copies.txt')
  await writeFile(path, 'copies\n')
  const three = await startHost()
  const a = await openTab(three.url)
  await waitConnected(a)
  await addFile(a, path)
  const below = a.getByTestId('upload').first().getByTestId('replicas')
  await expect(below).toHaveAttribute('data-replicas', '1')
  await expect(below).toHaveAttribute('data-target', '3')
  await expect(below).toContainText('1 of 3')
  await expect(below).toHaveClass(/\bwarn\b/)

  const one = await startHost({ extraArgs: ['--replicas', '1'] })
  const b = await openTab(one.url)
  await waitConnected(b)
  await addFile(b, path)
  const met = b.getByTestId('upload').first().getByTestId('replicas')
  await expect(met).toHaveAttribute('data-target', '1')
  await expect(met).toContainText('1 of 1')
  await expect(met).toHaveClass(/\bok\b/)
})

for (const [label, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 390, height: 844 }]] as const) {
  test(`layout at ${label} width: no gap under a card, nothing wider than the screen`, async ({ startHost, openTab, tmp }) => {
    const host = await startHost()
    const page = await openTab(host.url)
    await page.setViewportSize(viewport)
    await waitConnected(page)
    const path = join(tmp, 'layout.txt')
    await writeFile(path, 'layout\n')
    await addFile(page, path)
    expect(await newestLink(page)).toContain('&file=')
    const boxes = await page.locator('main .panel').evaluateAll(panels => panels.map(p => {
      const r = p.getBoundingClientRect()
      return { top: r.top, bottom: r.bottom, left: r.left, right: r.right }
    }))
    expect(boxes.length).toBe(5)
    for (const box of boxes) {
      // The nearest card above in the same column ends just above this one.
      const above = boxes.filter(o => o.bottom <= box.top && o.left < box.right && box.left < o.right)
      if (above.length === 0) continue
      const gap = box.top - Math.max(...above.map(o => o.bottom))
      expect(gap, 'space between stacked cards').toBeLessThanOrEqual(32)
    }
    // Reading and focus order (the DOM's) is the order on screen: down each column, or down the one column.
    const headings = await page.locator('main .panel h2').allTextContents()
    expect(headings).toEqual(label === 'phone'
      ? ['Share files', 'Open a link', 'Your files', 'Mesh', 'Storage']
      : ['Share files', 'Your files', 'Open a link', 'Mesh', 'Storage'])
    const width = await page.evaluate(() => document.documentElement.scrollWidth)
    expect(width, 'no horizontal scrolling').toBeLessThanOrEqual(viewport.width)
    const qr = await page.getByTestId('upload').first().getByTestId('share-qr').boundingBox()
    expect(qr, 'the QR code is shown').not.toBeNull()
    expect(qr!.x + qr!.width).toBeLessThanOrEqual(viewport.width)
    expect(qr!.width).toBeGreaterThanOrEqual(96)
    await page.screenshot({ path: test.info().outputPath(`everyday-${label}.png`), fullPage: true })
  })
}
