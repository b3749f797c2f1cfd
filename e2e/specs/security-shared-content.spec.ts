/**
 * Shared files never run script on the app's origin (issue 10, item 1).
 *
 * Tab A adds an SVG and an HTML file whose script, if it ever runs, logs a
 * marker to the console and posts on a BroadcastChannel of the app's origin
 * (where it could read every saved share link from IndexedDB), plus a PNG.
 * Tab B opens each link. Every same-origin URL B's UI then exposes for the
 * file, plus its `/media/` and `/download/` twins, is opened as a top-level
 * document in B's profile (where the service worker finds B holding the
 * file): no script runs, the active types are attachments, and every file
 * response carries the sandbox CSP, nosniff and CORP. The PNG still previews.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { crc32, deflateSync } from 'node:zlib'
import type { BrowserContext, Page } from '@playwright/test'
import { addFile, waitConnected } from '../support/app.js'
import { expect, test } from '../support/fixtures.js'

const CHANNEL = 'cairn-shared-script'
const MARKER = 'CAIRN-SHARED-SCRIPT-RAN'
/** What the payloads run: a console marker (seen from any origin, opaque ones included) and a post to the app origin. */
const PAYLOAD = `console.log('${MARKER} ' + location.href); new BroadcastChannel('${CHANNEL}').postMessage(location.href)`

const SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40" onload="${PAYLOAD.replaceAll("'", '&apos;')}">
<script>${PAYLOAD}</script><rect width="40" height="40" fill="red"/></svg>\n`
const HTML = `<!doctype html><title>evil</title><script>${PAYLOAD}</script><img src="x" onerror="${PAYLOAD.replaceAll("'", '&apos;')}">\n`

/** A `width`×`height` RGB PNG, built here so the fixture is exact. */
function png (width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
    const out = Buffer.alloc(12 + data.length)
    out.writeUInt32BE(data.length, 0)
    body.copy(out, 4)
    out.writeUInt32BE(crc32(body), 8 + data.length)
    return out
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header.set([8, 2, 0, 0, 0], 8)
  const rows = Buffer.alloc((1 + width * 3) * height, 0x80)
  for (let y = 0; y < height; y++) rows[y * (1 + width * 3)] = 0
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))
  ])
}

/** Same-origin URLs the opened file's card and the page expose (links, media sources, share-link fields). */
async function exposedUrls (page: Page): Promise<string[]> {
  return await page.evaluate(() => {
    const urls = new Set<string>()
    const add = (value: string | null): void => {
      if (value === null || value === '') return
      const url = new URL(value, location.href)
      if (url.origin === location.origin) urls.add(url.href)
    }
    for (const el of document.querySelectorAll('a[href]')) add(el.getAttribute('href'))
    for (const el of document.querySelectorAll('img[src], video[src], audio[src], source[src], iframe[src], embed[src]')) add(el.getAttribute('src'))
    for (const el of document.querySelectorAll('object[data]')) add(el.getAttribute('data'))
    for (const el of document.querySelectorAll<HTMLInputElement>('input[data-testid="file-link"]')) add(el.value)
    return [...urls]
  })
}

/** Each `/media/<id>` URL gets its `/download/<id>` twin and the other way round. */
function withTwins (urls: string[]): string[] {
  const all = new Set(urls)
  for (const url of urls) {
    const u = new URL(url)
    const m = /^\/(media|download)\/([^/]+)$/.exec(u.pathname)
    if (m === null) continue
    all.add(`${u.origin}/media/${m[2]}`)
    all.add(`${u.origin}/download/${m[2]}`)
  }
  return [...all]
}

interface Visit { url: string, download: boolean, contentType: string | null, image?: number[] }

/**
 * Open `url` as a top-level document in a new page of `context`; report whether it became a
 * download. `settled` runs once the page has loaded, before it closes: it waits until a
 * message any script of the page posted would have been heard.
 */
async function visit (context: BrowserContext, url: string, settled: () => Promise<void>): Promise<Visit> {
  const page = await context.newPage()
  try {
    const downloaded = page.waitForEvent('download', { timeout: 5_000 }).then(async d => { await d.cancel(); return true }, () => false)
    const response = await page.goto(url, { waitUntil: 'load' }).catch(() => null)
    const download = response === null ? await downloaded : false
    // Scripts run during parsing: whatever they posted is on its way before the barrier.
    await settled()
    const contentType = response === null ? null : await response.headerValue('content-type')
    if (contentType?.startsWith('image/') !== true) return { url, download, contentType }
    // An image opened in its own tab still shows: its document loads the image itself.
    const image = await page.evaluate(() => { const img = document.images[0]; return img === undefined ? [] : [img.naturalWidth, img.naturalHeight] })
    return { url, download, contentType, image }
  } finally {
    await page.close()
  }
}

interface Headers { status: number, headers: Record<string, string> }

async function headersOf (page: Page, url: string): Promise<Headers> {
  return await page.evaluate(async url => {
    const res = await fetch(url)
    await res.body?.cancel()
    return { status: res.status, headers: Object.fromEntries(res.headers) }
  }, url)
}

test('shared SVG and HTML never run script on the app origin; a PNG still previews', async ({ startHost, openTab, tmp }) => {
  const host = await startHost()
  await writeFile(join(tmp, 'evil.svg'), SVG)
  await writeFile(join(tmp, 'evil.html'), HTML)
  await writeFile(join(tmp, 'photo.png'), png(7, 5))

  const a = await openTab(host.url)
  await waitConnected(a)
  const svg = await addFile(a, join(tmp, 'evil.svg'))
  const html = await addFile(a, join(tmp, 'evil.html'))
  const photo = await addFile(a, join(tmp, 'photo.png'))

  const b = await openTab(photo.link)
  await waitConnected(b)
  const context = b.context()
  const ran: string[] = []
  context.on('console', msg => { if (msg.text().includes(MARKER)) ran.push(msg.text()) })
  await b.evaluate(channel => {
    const w = window as unknown as { heard: string[], barriers: number, barrier: BroadcastChannel }
    w.heard = []
    w.barriers = 0
    w.barrier = new BroadcastChannel(channel)
    new BroadcastChannel(channel).onmessage = (event: MessageEvent) => {
      if (event.data === 'barrier') w.barriers++
      else w.heard.push(String(event.data))
    }
  }, CHANNEL)
  const heard = async (): Promise<string[]> => await b.evaluate(() => (window as unknown as { heard: string[] }).heard)

  // The detector works: a post from another page of this origin (the app's own page) is heard.
  const control = await context.newPage()
  await control.goto(`${new URL(host.url).origin}/`, { waitUntil: 'domcontentloaded' })
  await control.evaluate(channel => { new BroadcastChannel(channel).postMessage('control') }, CHANNEL)
  await expect.poll(heard).toEqual(['control'])
  await control.close()
  // A barrier: a post on the channel (from a second BroadcastChannel in b), sent after a
  // visited page loaded and heard by b after anything that page's scripts posted while loading.
  // (Not from another app page: the service worker asks every app window for a file.)
  let barriers = 0
  const settled = async (): Promise<void> => {
    barriers++
    await b.evaluate(() => { (window as unknown as { barrier: BroadcastChannel }).barrier.postMessage('barrier') })
    await expect.poll(async () => await b.evaluate(() => (window as unknown as { barriers: number }).barriers)).toBe(barriers)
  }

  // The PNG previews inline, at its real size.
  const preview = b.getByTestId('preview')
  await expect(preview).toBeVisible({ timeout: 30_000 })
  await expect.poll(async () => await preview.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight])).toEqual([7, 5])
  const pngMedia = await preview.getAttribute('src')
  const pngHeaders = await headersOf(b, pngMedia!)
  expect(pngHeaders.headers['content-type']).toBe('image/png')
  expect(pngHeaders.headers['content-disposition']).toMatch(/^inline;/)

  for (const [name, file] of [['evil.svg', svg], ['evil.html', html], ['photo.png', photo]] as const) {
    await b.getByLabel('Share link', { exact: true }).fill(file.link)
    await b.getByLabel('Share link', { exact: true }).press('Enter')
    await expect(b.getByTestId('file-name')).toHaveText(name, { timeout: 30_000 })
    await expect(b.getByTestId('download')).toBeVisible()
    const active = name !== 'photo.png'

    const urls = withTwins(await exposedUrls(b))
    const fileUrls = urls.filter(url => /^\/(media|download)\//.test(new URL(url).pathname))
    expect(fileUrls.length, `${name}: /media/ and /download/ URLs`).toBeGreaterThanOrEqual(2)
    const visits: Visit[] = []
    for (const url of urls) visits.push(await visit(context, url, settled))
    expect(ran, `${name}: script ran`).toEqual([])
    expect(await heard(), `${name}: script posted to the app origin`).toEqual(['control'])
    for (const seen of visits) {
      if (active && fileUrls.includes(seen.url)) expect(seen, `${name} downloads, never renders`).toMatchObject({ download: true })
    }
    if (!active) expect(visits.find(v => v.url.includes('/media/')), 'the PNG opens in its own tab').toMatchObject({ download: false, contentType: 'image/png', image: [7, 5] })
    // Active types get no preview at all: a download link only.
    if (active) await expect(b.getByTestId('preview')).toHaveCount(0)
    for (const url of fileUrls) {
      const { status, headers } = await headersOf(b, url)
      expect(status, url).toBe(200)
      expect(headers['content-security-policy'], url).toBe("sandbox; default-src 'none'")
      expect(headers['x-content-type-options'], url).toBe('nosniff')
      expect(headers['cross-origin-resource-policy'], url).toBe('same-origin')
      if (active || new URL(url).pathname.startsWith('/download/')) {
        expect(headers['content-disposition'], url).toMatch(/^attachment;/)
      }
      if (active) expect(headers['content-type'], url).toBe('application/octet-stream')
    }
  }
})
