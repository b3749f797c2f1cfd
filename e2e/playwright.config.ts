/**
 * Playwright for Cairn's e2e specs: Debian's Chromium, real hosts started from
 * the built CLI, real WebRTC between tabs over loopback. Run through
 * `node e2e/run.mjs` (`npm run e2e`), which puts everything in a loopback-only
 * network namespace first.
 */
import { existsSync } from 'node:fs'
import { defineConfig } from '@playwright/test'
import { CHROMIUM, CHROMIUM_ARGS, CONTEXT_OPTIONS } from './support/browser.js'

if (!existsSync(CHROMIUM)) {
  throw new Error(`Chromium not found at ${CHROMIUM}. Install Debian's build: apt-get install -y chromium`)
}

export default defineConfig({
  testDir: './specs',
  // Two shared cores: one spec file at a time keeps transfers and timings honest.
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  // `npm test` (scripts/test.mjs) asks for a JSON report too, to count tests over all stages.
  reporter: process.env.CAIRN_E2E_REPORT === undefined
    ? [['list']]
    : [['list'], ['json', { outputFile: process.env.CAIRN_E2E_REPORT }]],
  outputDir: '../test-results/e2e',
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS },
    ...CONTEXT_OPTIONS,
    actionTimeout: 10_000,
    navigationTimeout: 15_000,
    trace: 'retain-on-failure'
  }
})
