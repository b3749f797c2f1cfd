import { describe, expect, it } from 'vitest'
import { InternalError } from '@cairn/core'
import { WriteBehind } from './write-behind.js'

/** A write that finishes when the test says so. */
function pendingWrite (): { start: () => Promise<void>, started: () => boolean, finish: (error?: Error) => void } {
  let started = false
  let settle: ((error?: Error) => void) | undefined
  const done = new Promise<void>((resolve, reject) => { settle = (error) => { if (error === undefined) resolve(); else reject(error) } })
  return {
    start: async () => { started = true; await done },
    started: () => started,
    finish: (error) => settle?.(error)
  }
}

const tick = async (): Promise<void> => { await new Promise(resolve => setImmediate(resolve)) }

describe('WriteBehind', () => {
  it('starts each write at once and returns from add while at most `limit` are in flight', async () => {
    const writes = new WriteBehind(2)
    const [w0, w1, w2] = [pendingWrite(), pendingWrite(), pendingWrite()]
    await writes.add(w0.start)
    await writes.add(w1.start)
    expect([w0, w1, w2].map(x => x.started())).toEqual([true, true, false])
    let added = false
    const third = writes.add(w2.start).then(() => { added = true })
    await tick()
    expect(w2.started()).toBe(true) // started at once...
    expect(added).toBe(false) // ...but add waits for the oldest: three would be in flight
    w1.finish()
    await tick()
    expect(added).toBe(false) // the second finishing does not help: the oldest is what frees its part
    w0.finish()
    await third
    let finished = false
    const all = writes.finish().then(() => { finished = true })
    w2.finish()
    await all
    expect(finished).toBe(true)
  })

  it('throws a failed write from add or finish; settle waits for every write without throwing', async () => {
    const writes = new WriteBehind(1)
    const [w0, w1, w2] = [pendingWrite(), pendingWrite(), pendingWrite()]
    await writes.add(w0.start)
    const second = writes.add(w1.start) // two in flight: waits for the first
    w0.finish(new Error('disk full'))
    await expect(second).rejects.toThrow('disk full')
    const third = writes.add(w2.start) // w1, w2 in flight: waits for w1
    w1.finish(new Error('gone'))
    await expect(third).rejects.toThrow('gone')
    let settled = false
    const settling = writes.settle().then(() => { settled = true })
    await tick()
    expect(settled).toBe(false) // w2 still writing
    w2.finish(new Error('also failed'))
    await settling
    expect(settled).toBe(true)

    const more = new WriteBehind(2)
    const [v0, v1] = [pendingWrite(), pendingWrite()]
    await more.add(v0.start)
    await more.add(v1.start)
    const finishing = more.finish()
    v0.finish()
    v1.finish(new Error('late failure'))
    await expect(finishing).rejects.toThrow('late failure')
  })

  it('refuses a limit below 1', () => {
    for (const limit of [0, -1, 1.5, Number.NaN]) expect(() => new WriteBehind(limit)).toThrow(InternalError)
  })
})
