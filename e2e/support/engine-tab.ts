/**
 * A tab in any engine, driven the same way: Firefox through puppeteer-core
 * (WebDriver BiDi), WebKitGTK through webdriverio (WebDriver classic),
 * Chromium through Playwright. Scenarios are written once against this.
 *
 * Waits poll the page for a condition (no fixed sleeps), and fail with what
 * was last seen.
 */

export type Engine = 'chromium' | 'firefox' | 'webkit'

export interface EngineTab {
  readonly engine: Engine
  /** Evaluate `expression` (it may be a promise) in the page; its JSON value. */
  evaluate: <T>(expression: string) => Promise<T>
  /** Set a file input (found by data-testid) to the file at `path`. */
  setFile: (testId: string, path: string) => Promise<void>
  /** Click an element found by data-testid. */
  click: (testId: string) => Promise<void>
  goto: (url: string) => Promise<void>
}

/** The selector for a data-testid (quoted for use in page expressions). */
export function byTestId (testId: string): string {
  return `[data-testid="${testId}"]`
}

/**
 * Poll `expression` until `accept` takes its value; return it. Fails after
 * `timeout` ms with the last value (or error) seen.
 */
export async function waitFor<T> (tab: EngineTab, expression: string, accept: (value: T) => boolean, options: { timeout?: number, what?: string } = {}): Promise<T> {
  const timeout = options.timeout ?? 30_000
  const deadline = Date.now() + timeout
  let last: unknown
  for (;;) {
    try {
      const value = await tab.evaluate<T>(expression)
      last = value
      if (accept(value)) return value
    } catch (err) {
      last = err
    }
    if (Date.now() > deadline) throw new Error(`${tab.engine}: ${options.what ?? expression} not met in ${timeout} ms; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`)
    await new Promise(resolve => setTimeout(resolve, 200))
  }
}

/** A data-* attribute of the first element with `testId` (null when absent). */
export function attribute (testId: string, name: string): string {
  return `document.querySelector('${byTestId(testId)}')?.getAttribute('${name}') ?? null`
}
