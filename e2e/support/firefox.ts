/**
 * Firefox ESR (Debian's `/usr/bin/firefox-esr`), headless, driven by
 * puppeteer-core over WebDriver BiDi. Each tab is its own browser context
 * (own IndexedDB, own identity), like the Chromium tabs.
 *
 * Prefs: loopback ICE candidates on and host addresses not hidden behind
 * mDNS names (the e2e network namespace holds only loopback); camera and
 * microphone allowed by default (without that permission Firefox gathers
 * only the default route's address, and the namespace has no route, so no
 * candidate at all: the same reason Chromium's contexts are granted them);
 * downloads saved without asking into one directory.
 */
import { existsSync } from 'node:fs'
import puppeteer from 'puppeteer-core'
import type { Browser, BrowserContext, Page } from 'puppeteer-core'
import type { EngineTab } from './engine-tab.js'
import { byTestId } from './engine-tab.js'

export const FIREFOX = process.env['CAIRN_FIREFOX'] ?? '/usr/bin/firefox-esr'

export function requireFirefox (): void {
  if (!existsSync(FIREFOX)) throw new Error(`Firefox not found at ${FIREFOX}. Install Debian's build: apt-get install -y firefox-esr`)
}

export function firefoxPrefs (downloadDir: string): Record<string, unknown> {
  return {
    'media.peerconnection.ice.loopback': true,
    'media.peerconnection.ice.obfuscate_host_addresses': false,
    'media.navigator.permission.disabled': true,
    'permissions.default.camera': 1,
    'permissions.default.microphone': 1,
    'browser.download.folderList': 2,
    'browser.download.dir': downloadDir,
    'browser.download.useDownloadDir': true,
    'browser.download.always_ask_before_handling_new_types': false,
    'browser.download.start_downloads_in_tmp_dir': false,
    'browser.helperApps.neverAsk.saveToDisk': 'application/octet-stream',
    'browser.download.panel.shown': true
  }
}

export async function launchFirefox (downloadDir: string): Promise<Browser> {
  requireFirefox()
  return await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    extraPrefsFirefox: firefoxPrefs(downloadDir),
    protocolTimeout: 120_000
  })
}

/** A new page in `context` (one per tab: own storage), as an `EngineTab` (errors logged as `name`). */
export async function openFirefoxTab (context: BrowserContext, url: string, name: string, errors: string[]): Promise<EngineTab & { page: Page }> {
  const page = await context.newPage()
  page.on('pageerror', err => { const text = err instanceof Error ? err.message : String(err); errors.push(text); console.error(`[${name}] page error: ${text}`) })
  page.on('console', msg => { if (msg.type() === 'error' || msg.type() === 'warn') console.error(`[${name}] console.${msg.type()}: ${msg.text()}`) })
  const tab = {
    engine: 'firefox' as const,
    page,
    evaluate: async <T>(expression: string): Promise<T> => await page.evaluate(expression) as T,
    setFile: async (testId: string, path: string): Promise<void> => {
      const input = await page.$(byTestId(testId))
      if (input === null) throw new Error(`firefox: no ${testId} element`)
      await (input as unknown as { uploadFile: (p: string) => Promise<void> }).uploadFile(path)
    },
    click: async (testId: string): Promise<void> => { await page.click(byTestId(testId)) },
    goto: async (to: string): Promise<void> => { await page.goto(to) }
  }
  await tab.goto(url)
  return tab
}
