/**
 * Core's compliance cases, run in real Chromium against the browser adapters:
 * `IdbBlockStore` on real IndexedDB, `WebRtcConnection` over real loopback
 * data channels. Each case is its own step, asserted to pass.
 */
import type { Page } from '@playwright/test'
import { expect, test } from '../support/fixtures.js'

interface CaseResult { ok: boolean, error?: string, ms: number }

async function runSuite (page: Page, suite: string): Promise<void> {
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true')
  const names = await page.evaluate(s => window.cairnTests!.list(s), suite)
  expect(names.length, `${suite} has cases`).toBeGreaterThan(5)
  const failures: string[] = []
  for (const name of names) {
    await test.step(`${suite}: ${name}`, async () => {
      const result: CaseResult = await page.evaluate(async ([s, n]) => window.cairnTests!.run(s!, n!), [suite, name])
      console.log(`  ${result.ok ? 'ok  ' : 'FAIL'} ${suite}: ${name} (${Math.round(result.ms)} ms)`)
      if (!result.ok) failures.push(`${name}: ${result.error ?? ''}`)
      expect(result.error, `${suite}: ${name}`).toBeUndefined()
      expect(result.ok).toBe(true)
    }, { box: true }).catch(() => {})
  }
  expect(failures, `${failures.length} of ${names.length} ${suite} cases failed`).toEqual([])
}

declare global {
  interface Window {
    cairnTests?: {
      list: (suite: string) => string[]
      run: (suite: string, name: string) => Promise<CaseResult>
    }
  }
}

test('IdbBlockStore passes the BlockStore compliance cases in Chromium', async ({ page, pages }) => {
  await page.goto(`${pages.url}/test-pages/compliance.html`)
  await runSuite(page, 'IdbBlockStore')
})

test('WebRtcConnection passes the Connection compliance cases in Chromium', async ({ page, pages }) => {
  await page.goto(`${pages.url}/test-pages/compliance.html`)
  await runSuite(page, 'WebRtcConnection')
})
