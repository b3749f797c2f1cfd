/**
 * (e) Downloading a 256 MiB file keeps the tab's memory bounded: renderer
 * RSS (pids from CDP, resident sets from /proc) is sampled through the whole
 * download and must stay far below the file's size. The figures are printed.
 */
import { join } from 'node:path'
import { addFile, download, MiB, sha256File, waitConnected, writeRandomFile } from '../support/app.js'
import { expect, test } from '../support/fixtures.js'
import { RssSampler } from '../support/memory.js'

/** 256 MiB; `CAIRN_E2E_MEMORY_MIB` runs it larger to show the bound does not move. */
const SIZE = Number(process.env['CAIRN_E2E_MEMORY_MIB'] ?? 256) * MiB
/**
 * RSS growth allowed over the idle tab. Chromium frees ArrayBuffers lazily
 * and its allocator keeps some freed memory, so RSS saws up and down by
 * ~150 MiB while bytes stream; what must not grow is what the page holds:
 * the JS heap after a forced GC must come back to where it started.
 */
const MAX_GROWTH = 200 * MiB
/** The last quarter of the download may sit at most this much above the first. */
const MAX_DRIFT = 64 * MiB
/** JS heap after GC, after the download vs before it. */
const MAX_HEAP_GROWTH = 16 * MiB
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)

const mib = (bytes: number): string => `${(bytes / MiB).toFixed(0)} MiB`

test('(e) a 256 MiB download keeps the tab\'s memory bounded', async ({ browser, startHost, openTab, tmp }) => {
  test.setTimeout(300_000 + SIZE / MiB * 1000)
  const host = await startHost()
  const input = join(tmp, 'big.bin')
  const sha = await writeRandomFile(input, SIZE, 5)

  // The adding tab, measured too, then closed: the host holds the blocks.
  const a = await openTab(host.url)
  await waitConnected(a)
  const adding = await RssSampler.start(browser)
  const addStart = Date.now()
  const { link, replicas } = await addFile(a, input, 240_000 + SIZE / MiB * 500)
  const addMs = Date.now() - addStart
  const addPeaks = await adding.stop()
  expect(replicas).toBeGreaterThanOrEqual(1)
  await a.context().close()

  const b = await openTab(link)
  await waitConnected(b)
  await expect(b.getByTestId('file-size')).toHaveAttribute('data-bytes', String(SIZE), { timeout: 30_000 })
  const cdp = await b.context().newCDPSession(b)
  const heapAfterGc = async (): Promise<number> => {
    await cdp.send('HeapProfiler.collectGarbage')
    const { metrics } = await cdp.send('Performance.getMetrics') as { metrics: Array<{ name: string, value: number }> }
    return metrics.find(m => m.name === 'JSHeapUsedSize')?.value ?? 0
  }
  await cdp.send('Performance.enable')
  const heapBefore = await heapAfterGc()
  const sampler = await RssSampler.start(browser)
  const idle = await sampler.current()
  const started = Date.now()
  const saved = await download(b, 240_000 + SIZE / MiB * 500)
  const downloadMs = Date.now() - started
  const heapAfter = await heapAfterGc()
  const settled = await sampler.current()
  const peaks = await sampler.stop()
  console.log(`  JS heap after GC: ${mib(heapBefore)} before the download, ${mib(heapAfter)} after; renderer RSS after: ${[...settled.values()].map(mib).join(', ')}`)
  expect(heapAfter - heapBefore, 'JS heap kept after the download').toBeLessThan(MAX_HEAP_GROWTH)
  expect(await sha256File(saved)).toBe(sha)

  const rows = [...peaks].map(([pid, peak]) => ({ pid, idle: idle.get(pid) ?? 0, peak }))
  console.log(`  add ${mib(SIZE)} in a tab: ${(SIZE / MiB / (addMs / 1000)).toFixed(1)} MiB/s, renderer peak RSS ${mib(Math.max(...addPeaks.values()))}`)
  console.log(`  download ${mib(SIZE)} in a tab: ${(SIZE / MiB / (downloadMs / 1000)).toFixed(1)} MiB/s`)
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
