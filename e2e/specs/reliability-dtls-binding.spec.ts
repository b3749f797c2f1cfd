/**
 * Reliability item 9 (browser side): a tampered DTLS fingerprint over WebRTC is
 * rejected before any other frame is processed.
 *
 * Two tabs (separate contexts), each a mesh node holding one block, linked over
 * a real data channel whose signals the runner relays, as a host does.
 *
 * - honest: the untampered link opens, the handshake binds both fingerprints,
 *   and each tab can fetch the other's block over it (the contrast).
 * - rewritten SDP: the relay swaps the offer's `a=fingerprint` for another
 *   certificate's, as a host steering the DTLS session elsewhere would. DTLS
 *   itself refuses the real certificate: the link never opens, so the mesh
 *   sees no frame at all.
 * - mismatched binding: the channel opens, but one side's connection reports a
 *   different remote fingerprint than it negotiated (what a man in the middle
 *   with its own DTLS sessions on each side leaves behind). The transcripts
 *   differ, both sides reject with `bad-signature`, and neither takes a frame
 *   past the peer's `auth`: the `put` and `want` each pipelined right behind
 *   its `auth` are neither stored nor answered. The responder refuses the
 *   initiator's `auth` before sending its own (protocol v2), so the initiator
 *   takes the responder's verdict where its `auth` would have been.
 */
import { randomBytes } from 'node:crypto'
import type { Browser, BrowserContext, Page } from '@playwright/test'
import { CONTEXT_OPTIONS } from '../support/browser.js'
import { expect, test } from '../support/fixtures.js'

/** As in packages/web/test-pages/handshake.ts. */
interface OpenOptions { initiator: boolean, tamperBinding?: boolean, injectWant?: string }
interface Outcome { ok: boolean, stage: 'link' | 'handshake', peerId?: string, error?: string, code?: string, reason?: string }
type Rewrite = (signal: Record<string, unknown>) => Record<string, unknown>

interface Side { page: Page, peerId: string, block: string }
interface Pair { a: Side, b: Side, contexts: BrowserContext[] }

declare global {
  interface Window {
    cairnHs?: {
      start: (seed: number) => Promise<{ peerId: string, block: string }>
      open: (options: OpenOptions) => void
      signal: (data: string) => void
      outcome: () => Promise<Outcome>
      consumed: () => string[]
      peers: () => Array<{ peerId: string, transport: string }>
      has: (cid: string) => Promise<boolean>
      fetch: (cid: string) => Promise<number | string>
      injectedPut: string | undefined
    }
  }
}

/** Another certificate's fingerprint in the SDP's own notation. */
function otherFingerprint (): string {
  return [...randomBytes(32)].map(b => b.toString(16).padStart(2, '0').toUpperCase()).join(':')
}

/** The relay's rewrite: every `a=fingerprint` of an offer now names another certificate. */
const swapOfferFingerprint: Rewrite = signal => {
  if (signal['type'] !== 'offer' || typeof signal['sdp'] !== 'string') return signal
  const fake = otherFingerprint()
  const sdp = signal['sdp'].replace(/^a=fingerprint:sha-256 [0-9A-F:]+$/gim, `a=fingerprint:sha-256 ${fake}`)
  if (sdp === signal['sdp']) throw new Error('offer had no sha-256 fingerprint to rewrite')
  return { ...signal, sdp }
}

/** Two pages on the harness, each a started node; signals pass through `rewrite` on the way from a to b. */
async function openPair (browser: Browser, url: string, rewrite?: Rewrite): Promise<Pair> {
  const contexts = await Promise.all([browser.newContext(CONTEXT_OPTIONS), browser.newContext(CONTEXT_OPTIONS)])
  const [pa, pb] = await Promise.all(contexts.map(async c => c.newPage())) as [Page, Page]
  const relay = (to: Page, edit?: Rewrite) => async (_kind: string, data: string): Promise<void> => {
    let out = data
    if (edit !== undefined) {
      const signal = JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as Record<string, unknown>
      out = Buffer.from(JSON.stringify(edit(signal)), 'utf8').toString('base64')
    }
    await to.evaluate(d => { window.cairnHs!.signal(d) }, out).catch(() => {})
  }
  await pa.exposeFunction('cairnRelay', relay(pb, rewrite))
  await pb.exposeFunction('cairnRelay', relay(pa))
  await Promise.all([pa.goto(url), pb.goto(url)])
  const [sa, sb] = await Promise.all([pa, pb].map(async (p, i) => {
    await p.waitForFunction(() => window.cairnHs !== undefined)
    return await p.evaluate(async seed => window.cairnHs!.start(seed), i + 1)
  })) as [{ peerId: string, block: string }, { peerId: string, block: string }]
  return { a: { page: pa, ...sa }, b: { page: pb, ...sb }, contexts }
}

async function link (pair: Pair, a: Omit<OpenOptions, 'initiator'>, b: Omit<OpenOptions, 'initiator'>): Promise<[Outcome, Outcome]> {
  await pair.b.page.evaluate(o => { window.cairnHs!.open(o) }, { ...b, initiator: false })
  await pair.a.page.evaluate(o => { window.cairnHs!.open(o) }, { ...a, initiator: true })
  return await Promise.all([pair.a.page.evaluate(async () => window.cairnHs!.outcome()), pair.b.page.evaluate(async () => window.cairnHs!.outcome())])
}

const consumed = async (side: Side): Promise<string[]> => await side.page.evaluate(() => window.cairnHs!.consumed())
const peersOf = async (side: Side): Promise<unknown[]> => await side.page.evaluate(() => window.cairnHs!.peers())

test('a tampered DTLS fingerprint is refused before any frame past auth; the honest link works', async ({ browser, pages }) => {
  const url = `${pages.url}/test-pages/handshake.html`
  const pairs: Pair[] = []
  try {
    // Honest: the same harness, untampered, connects and serves blocks both ways.
    const honest = await openPair(browser, url)
    pairs.push(honest)
    const [okA, okB] = await link(honest, {}, {})
    expect(okA).toEqual({ ok: true, stage: 'handshake', peerId: honest.b.peerId })
    expect(okB).toEqual({ ok: true, stage: 'handshake', peerId: honest.a.peerId })
    // Each tab announces its block on join; once told, the other fetches it over the link.
    await expect.poll(async () => honest.a.page.evaluate(async cid => window.cairnHs!.fetch(cid), honest.b.block)).toBe(4096)
    await expect.poll(async () => honest.b.page.evaluate(async cid => window.cairnHs!.fetch(cid), honest.a.block)).toBe(4096)
    expect(await peersOf(honest.a)).toEqual([{ peerId: honest.b.peerId, transport: 'webrtc' }])
    expect((await consumed(honest.a)).slice(0, 3)).toEqual(['hello', 'auth', 'peers'])

    // Rewritten SDP: DTLS refuses the certificate, the channel never opens, the mesh sees nothing.
    const rewritten = await openPair(browser, url, swapOfferFingerprint)
    pairs.push(rewritten)
    const started = Date.now()
    const [linkA, linkB] = await link(rewritten, { injectWant: rewritten.b.block }, { injectWant: rewritten.a.block })
    console.log(`  rewritten fingerprint: refused in ${Date.now() - started} ms (${linkA.code} / ${linkB.code})`)
    for (const [name, outcome] of [['initiator', linkA], ['responder', linkB]] as const) {
      expect(outcome.ok, `${name} over a rewritten fingerprint`).toBe(false)
      expect(outcome.stage, `${name} fails at the link, before the mesh`).toBe('link')
      // DTLS fails fast and says so (no wait for the link's connect timeout).
      expect(outcome.code, `${name}: ${JSON.stringify(outcome)}`).toBe('ERR_CONNECTION_CLOSED')
    }
    for (const side of [rewritten.a, rewritten.b]) {
      expect(await consumed(side)).toEqual([])
      expect(await peersOf(side)).toEqual([])
    }

    // Mismatched binding on a's side: both transcripts differ, both reject with bad-signature.
    const mitm = await openPair(browser, url)
    pairs.push(mitm)
    const [badA, badB] = await link(mitm,
      { tamperBinding: true, injectWant: mitm.b.block },
      { injectWant: mitm.a.block })
    expect(badA).toEqual({ ok: false, stage: 'handshake', error: 'HandshakeError', code: 'ERR_HANDSHAKE', reason: 'bad-signature' })
    expect(badB).toEqual({ ok: false, stage: 'handshake', error: 'HandshakeError', code: 'ERR_HANDSHAKE', reason: 'bad-signature' })
    for (const [self, other] of [[mitm.a, mitm.b], [mitm.b, mitm.a]] as const) {
      // Nothing past the peer's auth was taken from the link: not the put, not the want.
      // The initiator (a) never got b's auth: b refused a's first and sent only its verdict.
      expect(await consumed(self)).toEqual(self === mitm.a ? ['hello', 'error'] : ['hello', 'auth'])
      expect(await peersOf(self)).toEqual([])
      const put = await other.page.evaluate(() => window.cairnHs!.injectedPut)
      expect(put, 'the other side pipelined a put').toBeDefined()
      expect(await self.page.evaluate(async cid => window.cairnHs!.has(cid), put!)).toBe(false)
    }
  } finally {
    await Promise.all(pairs.flatMap(p => p.contexts).map(async c => c.close()))
  }
})
