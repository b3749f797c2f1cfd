import { describe, expect, it, vi } from 'vitest'
import { FakeDialingMesh } from '../testing/dialing-mesh.js'
import { keepDialing } from './keep-dialing.js'

describe('keepDialing', () => {
  it('redials with growing delays, reports each step, and redials after a drop', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] })
    try {
      const mesh = new FakeDialingMesh({ failures: 3 })
      const events: string[] = []
      const controller = new AbortController()
      const loop = keepDialing(mesh, 'a', {
        signal: controller.signal,
        backoff: { initial: 20, max: 50 },
        onDialing: () => events.push('dialing'),
        onConnected: id => events.push(`connected ${id}`),
        onLost: id => events.push(`lost ${id}`),
        onFailed: err => events.push(`failed ${(err as Error).message}`)
      })
      await vi.advanceTimersByTimeAsync(1000)
      expect(events).toEqual([
        'dialing', 'failed ECONNREFUSED', 'dialing', 'failed ECONNREFUSED', 'dialing', 'failed ECONNREFUSED', 'dialing', 'connected peer-of-a'
      ])
      const times = mesh.attempts.map(a => a.at - mesh.attempts[0]!.at)
      expect(times).toEqual([0, 20, 60, 110])
      mesh.drop('peer-of-a')
      await vi.advanceTimersByTimeAsync(19)
      expect(events.slice(8)).toEqual(['lost peer-of-a'])
      // A success started the backoff over: the redial comes after `initial`, not `max`.
      await vi.advanceTimersByTimeAsync(1)
      expect(events.slice(8)).toEqual(['lost peer-of-a', 'dialing', 'connected peer-of-a'])
      controller.abort()
      await loop
      mesh.drop('peer-of-a')
      await vi.advanceTimersByTimeAsync(1000)
      expect(mesh.attempts).toHaveLength(5)
      // Every dial was bounded, and stopped with the loop.
      expect(mesh.attempts.every(a => a.signal?.aborted === true)).toBe(true)
    } finally {
      vi.useRealTimers()
    }
  })

  it('bounds each dial by dialTimeout and stops a dial in progress when stopped', async () => {
    const mesh = new FakeDialingMesh({ hang: true })
    const failures: unknown[] = []
    const controller = new AbortController()
    const loop = keepDialing(mesh, 'slow', {
      signal: controller.signal, dialTimeout: 30, backoff: { initial: 1000 }, onFailed: err => failures.push(err)
    })
    await new Promise(resolve => setTimeout(resolve, 80))
    expect(failures).toHaveLength(1)
    expect((failures[0] as Error).name).toBe('TimeoutError')
    expect(mesh.attempts).toHaveLength(1)
    controller.abort()
    await loop
    expect(failures).toHaveLength(1)
  })
})
