/**
 * The core e2e scenarios, written once for any engine's tabs (`EngineTab`):
 * Firefox and WebKit specs run them, with their own tabs. Each returns what
 * it measured, and asserts what it proves.
 */
import { statfs } from 'node:fs/promises'
import { join } from 'node:path'
import type { CliResult, Host, HostOptions } from './fixtures.js'
import { expect, ROOT } from './fixtures.js'
import { MiB, sha256File, writeRandomFile } from './app.js'
import type { EngineTab } from './engine-tab.js'
import { attribute, waitFor } from './engine-tab.js'
import { addFile, checkVideoPreview, fetchDownload, waitConnected } from './engine-app.js'

export const CLIP = join(ROOT, 'e2e/fixtures/clip.webm')

export interface ScenarioKit {
  startHost: (options?: HostOptions) => Promise<Host>
  cli: (args: string[], options?: { timeout?: number }) => Promise<CliResult>
  tmp: string
  /** Opens a tab of the engine under test. */
  openTab: (url: string) => Promise<EngineTab>
}

const rate = (bytes: number, ms: number): string => `${(bytes / MiB / (ms / 1000)).toFixed(1)} MiB/s`

/** The app starts in full: panels shown, connected, `data-ready` set. */
export async function appStarts ({ startHost, openTab }: ScenarioKit): Promise<EngineTab> {
  const host = await startHost()
  const tab = await openTab(host.url)
  await waitFor(tab, 'document.body.dataset.ready ?? null', v => v === 'true', { what: 'the app to finish starting' })
  await waitConnected(tab)
  expect(await tab.evaluate<number>('document.querySelectorAll("#app section.panel").length')).toBeGreaterThanOrEqual(4)
  return tab
}

/**
 * One tab adds a file, another opens its share link from a storing host and
 * downloads it through the service worker, byte-identical.
 */
export async function shareThroughHost (kit: ScenarioKit, size: number): Promise<{ a: EngineTab, b: EngineTab, sha: string }> {
  const host = await kit.startHost()
  const input = join(kit.tmp, 'shared.bin')
  const sha = await writeRandomFile(input, size, 21)
  const a = await kit.openTab(host.url)
  await waitConnected(a)
  const { link, replicas } = await addFile(a, input)
  expect(replicas).toBeGreaterThanOrEqual(1)
  const b = await kit.openTab(link)
  await waitConnected(b)
  await waitFor(b, attribute('file-size', 'data-bytes'), v => v === String(size), { what: 'the opened file' })
  const fetched = await fetchDownload(b)
  expect(fetched.status).toBe(200)
  expect(fetched.disposition ?? '').toMatch(/^attachment/)
  expect(fetched.bytes).toBe(size)
  expect(fetched.sha256).toBe(sha)
  return { a, b, sha }
}

/**
 * Tab → host: a tab adds `size` bytes to a storing host, `cairn get` reads
 * them back. Host → tab: `cairn put`, the tab downloads. Byte-identical both
 * ways; the rates are printed (not asserted: the machine is shared).
 */
export async function throughputWithCli (kit: ScenarioKit, size: number): Promise<{ up: string, down: string }> {
  const host = await kit.startHost()
  const tab = await kit.openTab(host.url)
  await waitConnected(tab)
  await printQuota(tab, kit.tmp)
  const upInput = join(kit.tmp, 'up.bin')
  const upSha = await writeRandomFile(upInput, size, 31)
  const started = performance.now()
  const { link } = await addFile(tab, upInput)
  const upMs = performance.now() - started
  const out = join(kit.tmp, 'up-back.bin')
  const get = await kit.cli(['get', link, '-o', out])
  expect(get.code, get.stderr).toBe(0)
  expect(await sha256File(out)).toBe(upSha)

  const downInput = join(kit.tmp, 'down.bin')
  const downSha = await writeRandomFile(downInput, size, 32)
  const put = await kit.cli(['put', downInput, '--mesh', host.url, '--json'])
  expect(put.code, put.stderr).toBe(0)
  const putLink = (JSON.parse(put.stdout.trim().split('\n').at(-1)!) as { link: string }).link
  await tab.goto(putLink.startsWith('http') ? putLink : `${host.url}&file=${putLink}`)
  await waitConnected(tab)
  const fetched = await fetchDownload(tab)
  expect(fetched.sha256).toBe(downSha)
  const figures = { up: rate(size, upMs), down: rate(size, fetched.ms) }
  console.log(`throughput ${tab.engine}: tab → host ${figures.up} (add, sealed in the tab), host → tab ${figures.down} (download through the service worker), ${size / MiB} MiB each`)
  return figures
}

/**
 * The storage the engine grants this origin, as the storage panel shows it
 * (`navigator.storage.estimate()`): printed beside the throughput, and
 * either a positive quota or the panel saying the browser does not report one.
 */
async function printQuota (tab: EngineTab, dir: string): Promise<void> {
  const shown = await waitFor<{ quota: string | null, text: string }>(tab,
    `({ quota: document.querySelector('[data-testid="storage-usage"]')?.getAttribute('data-quota') ?? null, text: document.querySelector('[data-testid="storage-usage"]')?.textContent ?? '' })`,
    v => v.quota !== null || /does not report/.test(v.text), { what: 'the storage panel\'s quota' })
  if (shown.quota === null) {
    console.log(`quota ${tab.engine}: not reported (${shown.text})`)
    return
  }
  const quota = Number(shown.quota)
  expect(quota).toBeGreaterThan(0)
  const disk = await statfs(dir)
  console.log(`quota ${tab.engine}: ${(quota / 2 ** 30).toFixed(1)} GiB for the origin (${(100 * quota / (disk.blocks * disk.bsize)).toFixed(0)}% of a ${((disk.blocks * disk.bsize) / 2 ** 30).toFixed(0)} GiB disk)`)
}

/** A video added in one tab previews in another (through a storing host): it plays, and seeks to 9 s. */
export async function mediaPreview (kit: ScenarioKit): Promise<void> {
  const host = await kit.startHost()
  const adder = await kit.openTab(host.url)
  await waitConnected(adder)
  const { link } = await addFile(adder, CLIP)
  const viewer = await kit.openTab(link)
  await waitConnected(viewer)
  const video = await checkVideoPreview(viewer)
  expect(video.tag).toBe('VIDEO')
  expect(video.duration).toBeCloseTo(12, 0)
  expect(video.seekedTo).toBeGreaterThanOrEqual(9)
  expect(video.resumedTo).toBeGreaterThan(9.4)
  expect(video.error).toBeNull()
  expect(video.width).toBe(320)
}
