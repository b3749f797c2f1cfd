import { describe, expect, it } from 'vitest'
import { Inbox } from './inbox.js'

const frame = (n: number): Uint8Array => new Uint8Array(n)

describe('Inbox', () => {
  it('hands frames to the reader in order and reports each read', async () => {
    const reads: number[] = []
    const inbox = new Inbox(100, bytes => { reads.push(bytes) })
    inbox.push(frame(1))
    inbox.push(frame(2))
    const waiting = inbox.next()
    expect((await waiting).value?.length).toBe(1)
    expect((await inbox.next()).value?.length).toBe(2)
    const later = inbox.next()
    inbox.push(frame(3))
    expect((await later).value?.length).toBe(3)
    expect(reads).toEqual([1, 2, 3])
  })

  it('refuses a frame that would overflow its bound', () => {
    const inbox = new Inbox(10)
    expect(inbox.push(frame(6))).toBe(true)
    expect(inbox.push(frame(5))).toBe(false)
    expect(inbox.bytes).toBe(6)
  })

  it('end delivers what is buffered, then done; clear drops it', async () => {
    const inbox = new Inbox(100)
    inbox.push(frame(4))
    inbox.end()
    expect((await inbox.next()).value?.length).toBe(4)
    expect((await inbox.next()).done).toBe(true)
    const other = new Inbox(100)
    other.push(frame(4))
    other.clear()
    expect((await other.next()).done).toBe(true)
  })
})
