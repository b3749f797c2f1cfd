/**
 * Fixtures for specs that drive Firefox and WebKitGTK tabs next to (or
 * instead of) Chromium's. Each engine starts on first use and everything is
 * ended after the test, even on failure. A missing engine fails the test
 * with what to install; it never skips.
 *
 * - `firefox.openTab(url)`: a fresh Firefox context (own storage) at `url`;
 *   `firefox.downloads` is where its downloads land.
 * - `webkit.openTab(url)`: a fresh MiniBrowser session at `url` (its own
 *   WebKitWebDriver and Xvfb: the driver holds one session at a time).
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser, Page } from 'puppeteer-core'
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

export const test = base.extend<{ firefox: FirefoxTabs, webkit: WebKitTabs }>({
  firefox: async ({ tmp }, use) => {
    const downloads = join(tmp, 'firefox-downloads')
    await mkdir(downloads, { recursive: true })
    let browser: Promise<Browser> | undefined
    const errors: string[] = []
    let count = 0
    try {
      await use({
        downloads,
        openTab: async url => {
          browser ??= launchFirefox(downloads)
          count++
          return await openFirefoxTab(await browser, url, `firefox ${count}`, errors)
        }
      })
    } finally {
      await (await browser?.catch(() => undefined))?.close()
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
