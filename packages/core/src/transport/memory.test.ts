import { describe, expect, it } from 'vitest'
import { connectionSuite } from '../testing/vitest.js'
import { waitForStall } from '../testing/stall.js'
import type { Connection } from './connection.js'
import { memoryPair } from './memory.js'
import { MemoryNetwork } from './memory-network.js'

connectionSuite('memoryPair', async () => memoryPair())
connectionSuite('memoryPair (small frames, tiny buffer)', async () => memoryPair({ maxFrameSize: 70_000, highWaterMark: 1 }), {
  maxUnreadBytes: 64 * 1024
})

describe('memoryPair', () => {
  it('accepts exactly highWaterMark frames while the reader reads nothing', async () => {
    const [a, b] = memoryPair({ highWaterMark: 4 })
    let accepted = 0
    const writing = (async () => {
      for (let i = 0; i < 10; i++) { await a.send(new Uint8Array([i])); accepted++ }
    })()
    expect(await waitForStall(() => accepted)).toBe(4)
    const got: number[] = []
    for await (const frame of b) {
      got.push(frame[0]!)
      if (got.length === 10) break
    }
    await writing
    expect(got).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    a.close()
  })

  it('copies frames: the sender may reuse its buffer', async () => {
    const [a, b] = memoryPair()
    const buf = new Uint8Array([1, 2, 3])
    await a.send(buf)
    buf.fill(9)
    const first = await b[Symbol.asyncIterator]().next()
    expect(first.value).toEqual(new Uint8Array([1, 2, 3]))
    a.close()
  })

  it('passes channel binding through, mirrored on the other end', () => {
    const local = new Uint8Array([1])
    const remote = new Uint8Array([2])
    const [a, b] = memoryPair({ channelBinding: { local, remote } })
    expect(a.channelBinding).toEqual({ local, remote })
    expect(b.channelBinding).toEqual({ local: remote, remote: local })
    expect(a.transport).toBe('memory')
  })
})

describe('MemoryNetwork', () => {
  it('dials a listener by address; the listener gets the other end', async () => {
    const net = new MemoryNetwork()
    const accepted: Connection[] = []
    net.listen('memory://a', conn => { accepted.push(conn) })
    const t = net.transport({ localAddress: 'memory://me' })
    expect(t.canDial('memory://a')).toBe(true)
    expect(t.canDial('ws://127.0.0.1:1/mesh')).toBe(false)
    const conn = await t.dial('memory://a')
    expect(accepted).toHaveLength(1)
    const server = accepted[0]!
    expect(conn.remoteAddress).toBe('memory://a')
    expect(server.remoteAddress).toBe('memory://me')
    const [got] = await Promise.all([server[Symbol.asyncIterator]().next(), conn.send(new Uint8Array([7]))])
    expect(got.value).toEqual(new Uint8Array([7]))
    conn.close()
    await server.closed
  })

  it('fails to dial an address nobody listens on, and after unlisten', async () => {
    const net = new MemoryNetwork()
    const t = net.transport()
    await expect(t.dial('memory://nobody')).rejects.toMatchObject({ code: 'ERR_UNAVAILABLE' })
    const stop = net.listen('memory://b', () => {})
    await t.dial('memory://b')
    stop()
    await expect(t.dial('memory://b')).rejects.toMatchObject({ code: 'ERR_UNAVAILABLE' })
  })

  it('rejects a dial whose signal is already aborted', async () => {
    const net = new MemoryNetwork()
    net.listen('memory://c', () => {})
    const signal = AbortSignal.abort()
    await expect(net.transport().dial('memory://c', { signal })).rejects.toMatchObject({ code: 'ERR_ABORTED' })
  })

  it('refuses a second listener on the same address', () => {
    const net = new MemoryNetwork()
    net.listen('memory://d', () => {})
    expect(() => net.listen('memory://d', () => {})).toThrow()
  })

  it('applies its pair settings to every connection', async () => {
    const net = new MemoryNetwork({ maxFrameSize: 1000 })
    net.listen('memory://e', () => {})
    const conn = await net.transport().dial('memory://e')
    expect(conn.maxFrameSize).toBe(1000)
    await expect(conn.send(new Uint8Array(1001))).rejects.toMatchObject({ code: 'ERR_FRAME_TOO_LARGE' })
  })
})
