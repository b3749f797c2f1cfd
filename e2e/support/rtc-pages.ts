/**
 * Two tabs (separate contexts) on the WebRTC harness page, with their signals
 * relayed by the test runner, standing in for the hosts' signal relay.
 */
import type { Browser, BrowserContext, Page } from '@playwright/test'
import { CONTEXT_OPTIONS } from './browser.js'

export interface RtcHarness {
  cairnRtc: {
    open: (initiator: boolean) => void
    signal: (data: string) => void
    connected: () => Promise<{ local: number, remote: number }>
    send: (total: number) => Promise<{ ms: number, accepted: number }>
    sentSoFar: () => number
    receive: (total: number) => Promise<{ ms: number, bytes: number, bad: number }>
    rawOpen: (initiator: boolean) => void
    rawSignal: (data: string) => void
    rawConnected: () => Promise<void>
    rawSend: (total: number) => Promise<{ ms: number }>
    rawReceive: (total: number) => Promise<{ ms: number, bytes: number }>
  }
}

declare global {
  interface Window extends Partial<RtcHarness> {}
}

export async function openRtcPair (browser: Browser, url: string): Promise<{ a: Page, b: Page, contexts: BrowserContext[] }> {
  const contexts = await Promise.all([browser.newContext(CONTEXT_OPTIONS), browser.newContext(CONTEXT_OPTIONS)])
  const [a, b] = await Promise.all(contexts.map(async c => c.newPage())) as [Page, Page]
  const relay = (to: Page) => async (kind: string, data: string): Promise<void> => {
    await to.evaluate(([k, d]) => {
      if (k === 'raw') window.cairnRtc!.rawSignal(d!)
      else window.cairnRtc!.signal(d!)
    }, [kind, data])
  }
  await a.exposeFunction('cairnRelay', relay(b))
  await b.exposeFunction('cairnRelay', relay(a))
  await Promise.all([a.goto(url), b.goto(url)])
  await Promise.all([a.waitForFunction(() => window.cairnRtc !== undefined), b.waitForFunction(() => window.cairnRtc !== undefined)])
  return { a, b, contexts }
}

/** Open Cairn's WebRTC connection (a initiates) and wait for both ends. */
export async function connectCairn (a: Page, b: Page): Promise<void> {
  await b.evaluate(() => { window.cairnRtc!.open(false) })
  await a.evaluate(() => { window.cairnRtc!.open(true) })
  await Promise.all([a.evaluate(async () => window.cairnRtc!.connected()), b.evaluate(async () => window.cairnRtc!.connected())])
}

/** Open the raw RTCDataChannel baseline between the same two pages. */
export async function connectRaw (a: Page, b: Page): Promise<void> {
  await b.evaluate(() => { window.cairnRtc!.rawOpen(false) })
  await a.evaluate(() => { window.cairnRtc!.rawOpen(true) })
  await Promise.all([a.evaluate(async () => window.cairnRtc!.rawConnected()), b.evaluate(async () => window.cairnRtc!.rawConnected())])
}
