/**
 * (d) A video shared by one tab previews in another: it plays and seeks, the
 * service worker answering the media element's Range requests from the mesh.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { addFile, waitConnected } from '../support/app.js'
import { expect, ROOT, test } from '../support/fixtures.js'

const CLIP = join(ROOT, 'e2e/fixtures/clip.webm')

test('(d) a video preview plays and seeks', async ({ startHost, openTab }) => {
  const host = await startHost()
  const a = await openTab(host.url)
  await waitConnected(a)
  const { link } = await addFile(a, CLIP)

  const b = await openTab(link)
  await waitConnected(b)
  const video = b.getByTestId('preview')
  await expect(video).toBeVisible({ timeout: 30_000 })
  expect(await video.evaluate(v => v.tagName)).toBe('VIDEO')

  // Metadata arrives through the service worker: a 12 s clip.
  await expect.poll(async () => video.evaluate((v: HTMLVideoElement) => v.readyState)).toBeGreaterThanOrEqual(1)
  expect(await video.evaluate((v: HTMLVideoElement) => v.duration)).toBeCloseTo(12, 0)

  // It plays…
  await video.evaluate(async (v: HTMLVideoElement) => { v.muted = true; await v.play() })
  await expect.poll(async () => video.evaluate((v: HTMLVideoElement) => v.currentTime)).toBeGreaterThan(0.5)

  // …and seeks, then keeps playing from there.
  await video.evaluate(async (v: HTMLVideoElement) => {
    const seeked = new Promise(resolve => { v.addEventListener('seeked', resolve, { once: true }) })
    v.currentTime = 9
    await seeked
  })
  expect(await video.evaluate((v: HTMLVideoElement) => v.currentTime)).toBeGreaterThanOrEqual(9)
  await expect.poll(async () => video.evaluate((v: HTMLVideoElement) => v.currentTime)).toBeGreaterThan(9.4)
  expect(await video.evaluate((v: HTMLVideoElement) => v.error)).toBeNull()
  expect(await video.evaluate((v: HTMLVideoElement) => v.videoWidth)).toBe(320)

  // The media URL answers byte ranges exactly (what the element relies on to seek).
  const bytes = await readFile(CLIP)
  const src = await video.getAttribute('src')
  const ranges = await b.evaluate(async url => {
    const get = async (range: string): Promise<{ status: number, contentRange: string | null, body: number[] }> => {
      const res = await fetch(url, { headers: { Range: range } })
      return { status: res.status, contentRange: res.headers.get('content-range'), body: [...new Uint8Array(await res.arrayBuffer())] }
    }
    return { middle: await get('bytes=50000-50999'), suffix: await get('bytes=-100'), past: await get('bytes=999999999-') }
  }, src!)
  expect(ranges.middle.status).toBe(206)
  expect(ranges.middle.contentRange).toBe(`bytes 50000-50999/${bytes.length}`)
  expect(Buffer.from(ranges.middle.body).equals(bytes.subarray(50000, 51000))).toBe(true)
  expect(ranges.suffix.status).toBe(206)
  expect(Buffer.from(ranges.suffix.body).equals(bytes.subarray(bytes.length - 100))).toBe(true)
  expect(ranges.past.status).toBe(416)
})
