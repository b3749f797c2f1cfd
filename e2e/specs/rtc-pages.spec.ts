/**
 * Cairn's WebRTC connection between two real tabs (separate browser
 * contexts, signals relayed by the runner as hosts would): DTLS fingerprints
 * for the handshake binding, byte-exact transfer, and end-to-end flow
 * control — a receiving tab that does not read stalls the sender within one
 * credit window instead of piling data into it.
 */
import { expect, test } from '../support/fixtures.js'
import { connectCairn, openRtcPair } from '../support/rtc-pages.js'

const MiB = 1024 * 1024
/** The connection's credit window plus the one frame an empty window lets through. */
const MAX_UNREAD = 4 * MiB + 64 * 1024

test('two tabs move 32 MiB over a data channel byte-exact, with bound fingerprints', async ({ browser, pages }) => {
  const { a, b, contexts } = await openRtcPair(browser, `${pages.url}/test-pages/rtc.html`)
  try {
    await b.evaluate(() => { window.cairnRtc!.open(false) })
    await a.evaluate(() => { window.cairnRtc!.open(true) })
    const [bindA, bindB] = await Promise.all([a.evaluate(async () => window.cairnRtc!.connected()), b.evaluate(async () => window.cairnRtc!.connected())])
    // 'sha-256' ‖ 0x00 ‖ 32-byte digest on each side.
    expect(bindA).toEqual({ local: 40, remote: 40 })
    expect(bindB).toEqual({ local: 40, remote: 40 })
    const total = 32 * MiB
    const [received] = await Promise.all([
      b.evaluate(async n => window.cairnRtc!.receive(n), total),
      a.evaluate(async n => window.cairnRtc!.send(n), total)
    ])
    expect(received.bytes).toBe(total)
    expect(received.bad).toBe(0)
    console.log(`  32 MiB tab→tab over WebRtcConnection: ${(total / MiB / (received.ms / 1000)).toFixed(1)} MiB/s`)
  } finally {
    await Promise.all(contexts.map(async c => c.close()))
  }
})

test('a busy receiving tab stalls the sender within one credit window', async ({ browser, pages }) => {
  const { a, b, contexts } = await openRtcPair(browser, `${pages.url}/test-pages/rtc.html`)
  try {
    await connectCairn(a, b)
    const total = 64 * MiB
    // The sender runs while the receiver reads nothing.
    const sending = a.evaluate(async n => window.cairnRtc!.send(n), total)
    let last = -1
    let stalledAt = 0
    await expect.poll(async () => {
      const now = await a.evaluate(() => window.cairnRtc!.sentSoFar())
      const still = now === last && now > 0
      last = now
      stalledAt = now
      return still
    }, { intervals: [200], timeout: 15_000 }).toBe(true)
    expect(stalledAt, `sender had ${stalledAt} bytes accepted while the receiver read nothing`).toBeLessThanOrEqual(MAX_UNREAD)
    expect(stalledAt).toBeGreaterThan(0)
    // Once the receiver reads, everything arrives, in order and intact.
    const [received] = await Promise.all([b.evaluate(async n => window.cairnRtc!.receive(n), total), sending])
    expect(received.bytes).toBe(total)
    expect(received.bad).toBe(0)
    console.log(`  busy receiver: sender stalled at ${(stalledAt / MiB).toFixed(2)} MiB of 64 MiB (bound ${(MAX_UNREAD / MiB).toFixed(2)} MiB)`)
  } finally {
    await Promise.all(contexts.map(async c => c.close()))
  }
})
