/**
 * Runs core's framework-free compliance cases against the browser adapters,
 * in a real page: `IdbBlockStore` (real IndexedDB) and `WebRtcConnection`
 * (two real peer connections over loopback). The e2e spec lists the cases,
 * runs each and asserts it passed.
 */
import { blockStoreCases } from '../../core/src/store/suite.js'
import type { TestCase } from '../../core/src/store/suite.js'
import { connectionCases } from '../../core/src/transport/suite.js'
import { IdbBlockStore } from '../src/store/idb.js'
import { DEFAULT_CREDIT_WINDOW } from '../src/transport/credit.js'
import { WEBRTC_MAX_FRAME_SIZE } from '../src/transport/webrtc.js'
import { rtcPair } from './rtc-pair.js'

let databases = 0

const suites: Record<string, () => TestCase[]> = {
  IdbBlockStore: () => blockStoreCases(async () => IdbBlockStore.open({
    database: `cairn-test-${Date.now()}-${databases++}`,
    persist: false
  })),
  WebRtcConnection: () => connectionCases(rtcPair, {
    // One credit window unread, plus the one frame an empty window lets through.
    maxUnreadBytes: DEFAULT_CREDIT_WINDOW + WEBRTC_MAX_FRAME_SIZE,
    stall: { pollMs: 20, quietPolls: 10 }
  })
}

export interface CaseResult { ok: boolean, error?: string, ms: number }

function cases (suite: string): TestCase[] {
  const make = suites[suite]
  if (make === undefined) throw new Error(`no suite ${suite}`)
  return make()
}

const api = {
  suites: (): string[] => Object.keys(suites),
  list: (suite: string): string[] => cases(suite).map(c => c.name),
  async run (suite: string, name: string): Promise<CaseResult> {
    const found = cases(suite).find(c => c.name === name)
    if (found === undefined) return { ok: false, error: `no case ${name}`, ms: 0 }
    const start = performance.now()
    try {
      await found.fn()
      return { ok: true, ms: performance.now() - start }
    } catch (err) {
      const error = err instanceof Error ? `${err.name}: ${err.message}\n${err.stack ?? ''}` : JSON.stringify(err)
      return { ok: false, error, ms: performance.now() - start }
    }
  }
}

declare global {
  interface Window { cairnTests?: typeof api }
}
window.cairnTests = api
document.body.dataset['ready'] = 'true'
