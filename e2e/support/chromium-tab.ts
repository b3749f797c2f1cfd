/** A Playwright (Chromium) page as an `EngineTab`, for scenarios shared with other engines. */
import type { Page } from '@playwright/test'
import type { EngineTab } from './engine-tab.js'

export function chromiumTab (page: Page): EngineTab {
  return {
    engine: 'chromium',
    evaluate: async <T>(expression: string): Promise<T> => await page.evaluate(expression) as T,
    setFile: async (testId, path) => { await page.getByTestId(testId).setInputFiles(path) },
    click: async testId => { await page.getByTestId(testId).click() },
    goto: async url => { await page.goto(url) }
  }
}
