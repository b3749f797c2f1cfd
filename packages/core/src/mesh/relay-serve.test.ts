/** How a host's request server answers a relayed want that fails (`serve.ts` over a `Relay` with a fake fetch). */
import { describe, expect, it } from 'vitest'
import { TimeoutError, UnavailableError } from '../errors.js'
import type { Message } from '../wire/messages.js'
import { makeBlock } from '../../test/support/mesh.js'
import type { Peer } from './peer.js'
import { Relay } from './relay.js'
import { RequestServer } from './serve.js'
import { Semaphore } from './semaphore.js'
import type { NodeContext } from './context.js'
import type { Replicator } from './replicate.js'
import type { Remover } from './remove.js'

describe('a relayed want that fails', () => {
  /**
   * A --no-store host's request server whose relay's fetch does `fetch`, asked for a block
   * by a tab whose sends go through `send` (default: recorded); the messages the tab was sent.
   */
  async function ask (fetch: () => Promise<Uint8Array>, options: { forwardTimeout?: number, send?: (msg: Message) => Promise<void> } = {}): Promise<{ handled: Promise<void>, sent: Message[], peer: { isClosed: boolean } }> {
    const relay = new Relay({ enabled: true, maxRelays: 1, maxRelayBytes: 1000, ...(options.forwardTimeout === undefined ? {} : { forwardTimeout: options.forwardTimeout }) }, fetch)
    const ctx = { role: 'host', store: undefined } as unknown as NodeContext
    const server = new RequestServer(ctx, {} as unknown as Replicator, relay, {} as unknown as Remover, async () => { throw new Error('no status') }, () => {})
    const sent: Message[] = []
    const peer = {
      peerId: 'tab', role: 'browser', serveSlots: new Semaphore(4), closedSignal: new AbortController().signal, lastSent: 0, isClosed: false,
      close () { this.isClosed = true },
      conn: { maxFrameSize: 1 << 20 },
      send: async (msg: Message) => { await options.send?.(msg); sent.push(msg) }
    }
    const { cid } = await makeBlock(10, 8)
    return { handled: server.handle(peer as unknown as Peer, { t: 'want', id: 3, cid, probe: false }), sent, peer }
  }
  const failing = (err: Error) => async (): Promise<Uint8Array> => { throw err }

  it('answers dont-have only when no peer has it or none answered in time', async () => {
    for (const err of [new UnavailableError('nobody'), new TimeoutError('slow')]) {
      const { handled, sent } = await ask(failing(err))
      await handled
      expect(sent).toEqual([{ t: 'dont-have', id: 3 }])
    }
  })

  it('sends nothing more to an asker it closed for not taking a forward (not dont-have: the block was found)', async () => {
    // The tab stopped reading: its block's part is never taken; anything else is recorded.
    const { handled, sent, peer } = await ask(async () => new Uint8Array(10), {
      forwardTimeout: 50,
      send: async msg => { if (msg.t === 'block') await new Promise<void>(() => {}) }
    })
    await expect(handled).rejects.toBeInstanceOf(TimeoutError)
    expect(peer.isClosed).toBe(true)
    expect(sent).toEqual([])
  })

  it('does not hide any other failure as dont-have', async () => {
    const bug = new Error('a bug in the fetch')
    const { handled, sent } = await ask(failing(bug))
    await expect(handled).rejects.toBe(bug)
    expect(sent).toEqual([])
  })
})
