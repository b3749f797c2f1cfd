/**
 * (e) Downloading a 256 MiB file keeps the tab's memory bounded: renderer
 * RSS (pids from CDP, resident sets from /proc) is sampled through the whole
 * download and must stay far below the file's size. The figures are printed.
 */
import { join } from 'node:path'
import { addFile, download, MiB, sha256File, waitConnected, writeRandomFile } from '../support/app.js'
import { expect, test } from '../support/fixtures.js'
import { RssSampler } from '../support/memory.js'

const SIZE = 256 * MiB
/**
 * Growth allowed over the idle tab. Chromium frees ArrayBuffers lazily (the
 * JS heap itself stays under ~100 MiB), so RSS saws up and down by ~150 MiB
 * while bytes stream; what must not happen is growth with the file.
 */
const MAX_GROWTH = 200 * MiB
/** The last quarter of the download may sit at most this much above the first. */
const MAX_DRIFT = 48 * MiB
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)

const mib = (bytes: number): string => `${(bytes / MiB).toFixed(0)} MiB`

test('(e) a 256 MiB download keeps the tab\'s memory bounded', async ({ browser, startHost, openTab, tmp }) => {
  test.setTimeout(300_000)
  const host = await startHost()
  const input = join(tmp, 'big.bin')
  const sha = await writeRandomFile(input, SIZE, 5)

  // The adding tab, measured too, then closed: the host holds the blocks.
  const a = await openTab(host.url)
  await waitConnected(a)
  const adding = await RssSampler.start(browser)
  const addStart = Date.now()
  const { link, replicas } = await addFile(a, input, 240_000)
  const addMs = Date.now() - addStart
  const addPeaks = await adding.stop()
  expect(replicas).toBeGreaterThanOrEqual(1)
  await a.context().close()

  const b = await openTab(link)
  await waitConnected(b)
  await expect(b.getByTestId('file-size')).toHaveAttribute('data-bytes', String(SIZE), { timeout: 30_000 })
  const sampler = await RssSampler.start(browser)
  const idle = await sampler.current()
  const started = Date.now()
  const saved = await download(b, 240_000)
  const downloadMs = Date.now() - started
  const peaks = await sampler.stop()
  expect(await sha256File(saved)).toBe(sha)

  const rows = [...peaks].map(([pid, peak]) => ({ pid, idle: idle.get(pid) ?? 0, peak }))
  console.log(`  add 256 MiB in a tab: ${(SIZE / MiB / (addMs / 1000)).toFixed(1)} MiB/s, renderer peak RSS ${mib(Math.max(...addPeaks.values()))}`)
  console.log(`  download 256 MiB in a tab: ${(SIZE / MiB / (downloadMs / 1000)).toFixed(1)} MiB/s`)
  for (const row of rows) console.log(`  renderer ${row.pid}: idle ${mib(row.idle)}, peak during download ${mib(row.peak)}`)
  for (const row of rows) {
    expect(row.peak - row.idle, `renderer ${row.pid} grew from ${mib(row.idle)} to ${mib(row.peak)}`).toBeLessThan(MAX_GROWTH)
    const series = sampler.series.get(row.pid) ?? []
    const quarter = Math.max(1, Math.floor(series.length / 4))
    const first = mean(series.slice(0, quarter))
    const last = mean(series.slice(-quarter))
    console.log(`  renderer ${row.pid}: mean RSS first quarter ${mib(first)}, last quarter ${mib(last)} (${series.length} samples)`)
    expect(last - first, `renderer ${row.pid} kept growing through the download`).toBeLessThan(MAX_DRIFT)
  }
})
