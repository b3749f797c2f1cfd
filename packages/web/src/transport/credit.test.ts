import { describe, expect, it } from 'vitest'
import { decodeChannelMessage, encodeCredit, encodeData, ReceiveCredit, SendWindow } from './credit.js'

describe('channel messages', () => {
  it('round-trip data and credit', () => {
    const frame = new Uint8Array([1, 2, 3])
    const data = decodeChannelMessage(encodeData(frame))
    expect(data.kind).toBe('data')
    expect(data.kind === 'data' && [...data.frame]).toEqual([1, 2, 3])
    expect(decodeChannelMessage(encodeCredit(4_000_000))).toEqual({ kind: 'credit', bytes: 4_000_000 })
    expect(decodeChannelMessage(encodeData(new Uint8Array(0)))).toMatchObject({ kind: 'data' })
  })

  it('rejects empty, unknown and malformed messages with ProtocolError', () => {
    for (const bad of [new Uint8Array(0), new Uint8Array([2, 0]), new Uint8Array([1, 0, 0, 0]), new Uint8Array([1, 0, 0, 0, 0, 0])]) {
      expect(() => decodeChannelMessage(bad)).toThrow(expect.objectContaining({ code: 'ERR_PROTOCOL' }))
    }
  })
})

describe('SendWindow', () => {
  it('lets a window of bytes through, then waits for credit', async () => {
    const window = new SendWindow(100)
    await window.reserve(60)
    await window.reserve(40)
    let through = false
    const next = window.reserve(10).then(() => { through = true })
    await Promise.resolve()
    expect(through).toBe(false)
    window.credit(10)
    await next
    expect(through).toBe(true)
  })

  it('always lets one frame through an empty window', async () => {
    const window = new SendWindow(10)
    await window.reserve(50)
  })

  it('rejects credit for more than is in flight', async () => {
    const window = new SendWindow(100)
    await window.reserve(10)
    expect(() => { window.credit(11) }).toThrow(expect.objectContaining({ code: 'ERR_PROTOCOL' }))
  })

  it('close rejects waiting and later reserves', async () => {
    const window = new SendWindow(10)
    await window.reserve(10)
    const waiting = window.reserve(5)
    window.close()
    await expect(waiting).rejects.toMatchObject({ code: 'ERR_CONNECTION_CLOSED' })
    await expect(window.reserve(1)).rejects.toMatchObject({ code: 'ERR_CONNECTION_CLOSED' })
  })
})

describe('ReceiveCredit', () => {
  it('grants in batches and flushes the rest on demand', () => {
    const grants: number[] = []
    const credit = new ReceiveCredit(bytes => { grants.push(bytes) }, 100)
    credit.read(60)
    expect(grants).toEqual([])
    credit.read(50)
    expect(grants).toEqual([110])
    credit.read(5)
    credit.flush()
    credit.flush()
    expect(grants).toEqual([110, 5])
  })
})
