import { describe, expect, it } from 'vitest'
import { AbortError, ConnectionClosedError, ProtocolError, RelayBusyError, RemoteError, StorageFullError, TimeoutError } from '../errors.js'
import type { Message } from '../wire/messages.js'
import { RequestTable } from './requests.js'
import { Semaphore } from './semaphore.js'

const pong = (msg: Message): { value: string } | undefined => {
  if (msg.t !== 'pong') throw new ProtocolError('not a pong')
  return { value: 'ok' }
}

describe('request table', () => {
  it('routes replies by id and maps error replies to typed errors', async () => {
    const table = new RequestTable()
    const [a, b] = [table.nextId(), table.nextId()]
    let finals = 0
    const ra = table.open(a, pong, {}, () => finals++)
    const rb = table.open(b, pong, {}, () => finals++)
    expect(table.reply(b, { t: 'error', id: b, code: 'ERR_STORAGE_FULL' })).toBe(true)
    expect(table.reply(a, { t: 'pong', id: a })).toBe(true)
    expect(await ra).toBe('ok')
    await expect(rb).rejects.toBeInstanceOf(StorageFullError)
    expect(table.reply(a, { t: 'pong', id: a })).toBe(false)
    expect(finals).toBe(2)
    const rc = table.open(table.nextId(), pong, {}, () => {})
    table.reply(3, { t: 'error', id: 3, code: 'ERR_NO_STORE' })
    await expect(rc).rejects.toMatchObject({ remoteCode: 'ERR_NO_STORE' })
    await expect(rc).rejects.toBeInstanceOf(RemoteError)
  })

  it('fails the caller on timeout but keeps the slot until the final reply', async () => {
    const table = new RequestTable()
    let released = false
    const id = table.nextId()
    const reply = table.open(id, pong, { timeout: 1 }, () => { released = true })
    await expect(reply).rejects.toBeInstanceOf(TimeoutError)
    expect(table.abandoned).toBe(1)
    expect(table.timedOut).toBe(1)
    expect(released).toBe(false)
    table.reply(id, { t: 'pong', id })
    expect(released).toBe(true)
    expect(table.abandoned).toBe(0)
    expect(table.timedOut).toBe(0)
  })

  it('a refused reply fails the caller at once, without a fault, and keeps the slot until the final part', async () => {
    const table = new RequestTable()
    let released = false
    const refusal = new RelayBusyError('at the cap')
    const id = table.nextId()
    let parts = 0
    const reply = table.open<string>(id, () => ++parts === 1 ? { refuse: refusal, final: false } : parts === 3 ? { value: 'done' } : undefined, {}, () => { released = true })
    expect(table.reply(id, { t: 'pong', id })).toBe(true)
    await expect(reply).rejects.toBe(refusal)
    expect(table.abandoned).toBe(1)
    // The peer is answering: a refusal is not a timeout.
    expect(table.timedOut).toBe(0)
    expect(released).toBe(false)
    table.reply(id, { t: 'pong', id })
    table.reply(id, { t: 'pong', id })
    expect(released).toBe(true)
    expect(table.abandoned).toBe(0)
    // Refused on its only part: released at once.
    const single = table.nextId()
    const once = table.open<string>(single, () => ({ refuse: refusal, final: true }), {}, () => {})
    table.reply(single, { t: 'pong', id: single })
    await expect(once).rejects.toBe(refusal)
    expect(table.abandoned).toBe(0)
    expect(table.reply(single, { t: 'pong', id: single })).toBe(false)
  })

  it('fails on abort, on a reply that does not fit, and on close', async () => {
    const table = new RequestTable()
    const controller = new AbortController()
    const abortedId = table.nextId()
    const aborted = table.open(abortedId, pong, { signal: controller.signal }, () => {})
    controller.abort()
    await expect(aborted).rejects.toBeInstanceOf(AbortError)
    // The caller gave up: awaited until its reply, but not counted as the peer not answering.
    expect(table.abandoned).toBe(1)
    expect(table.timedOut).toBe(0)
    table.reply(abortedId, { t: 'pong', id: abortedId })
    expect(table.abandoned).toBe(0)
    const id = table.nextId()
    const wrong = table.open(id, pong, {}, () => {})
    expect(() => table.reply(id, { t: 'stored', id, copies: 1 })).toThrow(ProtocolError)
    await expect(wrong).rejects.toBeInstanceOf(ProtocolError)
    const open = table.open(table.nextId(), pong, {}, () => {})
    table.close()
    await expect(open).rejects.toBeInstanceOf(ConnectionClosedError)
  })
})

describe('semaphore', () => {
  it('admits up to its limit, then in order', async () => {
    const sem = new Semaphore(2)
    await sem.acquire()
    await sem.acquire()
    const order: number[] = []
    const third = sem.acquire().then(() => order.push(3))
    const fourth = sem.acquire().then(() => order.push(4))
    sem.release()
    sem.release()
    await Promise.all([third, fourth])
    expect(order).toEqual([3, 4])
    expect(sem.inUse).toBe(2)
  })

  it('fails waiters on abort and on close', async () => {
    const sem = new Semaphore(1)
    await sem.acquire()
    const controller = new AbortController()
    const waiting = sem.acquire(controller.signal)
    controller.abort()
    await expect(waiting).rejects.toBeInstanceOf(AbortError)
    const closed = sem.acquire()
    sem.close()
    await expect(closed).rejects.toBeInstanceOf(ConnectionClosedError)
    await expect(sem.acquire()).rejects.toBeInstanceOf(ConnectionClosedError)
  })
})
