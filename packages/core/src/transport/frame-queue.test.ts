import { describe, expect, it } from 'vitest'
import { OutOfRangeError } from '../errors.js'
import { FrameQueue } from './frame-queue.js'

const f = (n: number): Uint8Array => new Uint8Array([n])

describe('FrameQueue', () => {
  it('reports full at the high-water mark and calls onRead as the reader takes frames', async () => {
    let reads = 0
    const q = new FrameQueue({ highWaterMark: 2, onRead: () => { reads++ } })
    expect(q.push(f(1))).toBe(true)
    expect(q.push(f(2))).toBe(false)
    expect(q.full).toBe(true)
    expect(q.push(f(3))).toBe(false)
    expect(q.size).toBe(3)
    expect((await q.next()).value).toEqual(f(1))
    expect(reads).toBe(1)
  })

  it('hands a frame straight to a waiting reader', async () => {
    const q = new FrameQueue({ highWaterMark: 1 })
    const pending = q.next()
    expect(q.push(f(9))).toBe(true)
    expect(q.size).toBe(0)
    expect((await pending).value).toEqual(f(9))
  })

  it('end() delivers what is buffered, then done; clear() drops it', async () => {
    const q = new FrameQueue()
    q.push(f(1))
    q.push(f(2))
    q.end()
    expect(q.push(f(3))).toBe(false)
    const got: number[] = []
    for await (const frame of q) got.push(frame[0]!)
    expect(got).toEqual([1, 2])

    const r = new FrameQueue()
    r.push(f(1))
    const waiting = new FrameQueue()
    const pending = waiting.next()
    r.clear()
    waiting.clear()
    expect(await r.next()).toEqual({ done: true, value: undefined })
    expect(await pending).toEqual({ done: true, value: undefined })
  })

  it('lets several loops take turns; breaking out of one does not end the queue', async () => {
    const q = new FrameQueue()
    for (let i = 0; i < 4; i++) q.push(f(i))
    for await (const frame of q) { expect(frame).toEqual(f(0)); break }
    const rest: number[] = []
    q.end()
    for await (const frame of q) rest.push(frame[0]!)
    expect(rest).toEqual([1, 2, 3])
  })

  it('rejects a high-water mark below 1 and a negative byte bound', () => {
    expect(() => new FrameQueue({ highWaterMark: 0 })).toThrow(OutOfRangeError)
    expect(() => new FrameQueue({ maxBytes: -1 })).toThrow(OutOfRangeError)
  })

  it('counts buffered bytes and tells onRead the size of every frame taken, handed over or buffered', async () => {
    const reads: number[] = []
    const q = new FrameQueue({ onRead: bytes => { reads.push(bytes) } })
    q.push(new Uint8Array(1))
    q.push(new Uint8Array(2))
    expect(q.bytes).toBe(3)
    expect((await q.next()).value?.length).toBe(1)
    expect((await q.next()).value?.length).toBe(2)
    expect(q.bytes).toBe(0)
    const later = q.next()
    q.push(new Uint8Array(3))
    expect((await later).value?.length).toBe(3)
    expect(reads).toEqual([1, 2, 3])
  })

  it('offer refuses a frame that would pass maxBytes, and takes it once the reader made room', async () => {
    const q = new FrameQueue({ highWaterMark: Infinity, maxBytes: 10 })
    expect(q.offer(new Uint8Array(6))).toBe(true)
    expect(q.offer(new Uint8Array(5))).toBe(false)
    expect(q.bytes).toBe(6)
    expect(q.size).toBe(1)
    await q.next()
    expect(q.offer(new Uint8Array(5))).toBe(true)
    expect(q.bytes).toBe(5)
    q.end()
    expect(q.offer(new Uint8Array(99)), 'after the end a frame is dropped quietly').toBe(true)
    expect(q.size).toBe(1)
  })

  it('keeps order across many frames read one by one (compaction)', async () => {
    const q = new FrameQueue({ highWaterMark: Infinity })
    const n = 5000
    for (let i = 0; i < n; i++) q.push(new Uint8Array([i & 0xff, i >> 8]))
    for (let i = 0; i < n; i++) {
      const { value } = await q.next()
      expect(value![0]! | (value![1]! << 8)).toBe(i)
      if (i % 1000 === 0) q.push(new Uint8Array([0xff, 0xff]))
    }
    expect(q.size).toBe(5)
    expect(q.bytes).toBe(10)
  })
})
