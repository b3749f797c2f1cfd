/**
 * Fixtures for specs that drive Firefox and WebKitGTK tabs next to (or
 * instead of) Chromium's. Each engine starts on first use and everything is
 * ended after the test, even on failure. A missing engine fails the test
 * with what to install; it never skips.
 *
 * - `firefox.openTab(url)`: a fresh Firefox context (own storage) at `url`,
 *   in one Firefox per worker; `firefox.downloads` is where downloads land.
 * - `webkit.openTab(url)`: a fresh MiniBrowser session at `url` (its own
 *   WebKitWebDriver and Xvfb: the driver holds one session at a time).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'puppeteer-core'
import type { EngineTab } from './engine-tab.js'
import { expect, test as base } from './fixtures.js'
import { launchFirefox, openFirefoxTab } from './firefox.js'
import { openWebKitTab, startWebKitDriver } from './webkit.js'
import type { WebKitDriver, WebKitTab } from './webkit.js'

export interface FirefoxTabs {
  openTab: (url: string) => Promise<EngineTab & { page: Page }>
  downloads: string
}

export interface WebKitTabs {
  openTab: (url: string) => Promise<EngineTab>
}

interface FirefoxWorker { browser: () => Promise<Browser>, downloads: string }

export const test = base.extend<{ firefox: FirefoxTabs, webkit: WebKitTabs }, { firefoxWorker: FirefoxWorker }>({
  // One Firefox per worker (its start is the slow part), launched on first use; a context per tab.
  firefoxWorker: [async ({}, use) => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-firefox-'))
    const downloads = join(dir, 'downloads')
    await mkdir(downloads)
    let browser: Promise<Browser> | undefined
    try {
      await use({ downloads, browser: async () => await (browser ??= launchFirefox(downloads)) })
    } finally {
      await (await browser?.catch(() => undefined))?.close()
      await rm(dir, { recursive: true, force: true })
    }
  }, { scope: 'worker' }],

  firefox: async ({ firefoxWorker }, use) => {
    const errors: string[] = []
    const contexts: BrowserContext[] = []
    try {
      await use({
        downloads: firefoxWorker.downloads,
        openTab: async url => {
          const context = await (await firefoxWorker.browser()).createBrowserContext()
          contexts.push(context)
          return await openFirefoxTab(context, url, `firefox ${contexts.length}`, errors)
        }
      })
    } finally {
      await Promise.all(contexts.map(async context => { await context.close().catch(() => {}) }))
    }
    expect(errors, 'uncaught errors in Firefox pages').toEqual([])
  },

  webkit: async ({}, use) => {
    // WebKitWebDriver holds one session at a time: one driver (and Xvfb) per tab.
    const drivers: Array<Promise<WebKitDriver>> = []
    const tabs: WebKitTab[] = []
    try {
      await use({
        openTab: async url => {
          const driver = startWebKitDriver()
          drivers.push(driver)
          const tab = await openWebKitTab(await driver)
          tabs.push(tab)
          await tab.goto(url)
          return tab
        }
      })
    } finally {
      await Promise.all(tabs.map(async tab => { await tab.close() }))
      await Promise.all(drivers.map(async driver => { await (await driver.catch(() => undefined))?.stop() }))
    }
  }
})

export { expect }
