import { describe, expect, it, vi } from 'vitest'
import type { AbortOptions } from '../store/block-store.js'
import type { PeerStatus } from '../wire/messages.js'
import { keepDialing } from './keep-dialing.js'

/** What keepDialing uses of a mesh: `dial`, `peers` and `peer:disconnect`; dials fail `failures` times first. */
class FakeMesh extends EventTarget {
  readonly connected = new Set<string>()
  readonly attempts: Array<{ at: number, signal?: AbortSignal }> = []
  private waiters: Array<() => void> = []

  constructor (private failures: number, private readonly hang = false) {
    super()
  }

  async dial (address: string, options: AbortOptions = {}): Promise<string> {
    this.attempts.push({ at: performance.now(), ...(options.signal === undefined ? {} : { signal: options.signal }) })
    this.waiters.splice(0).forEach(w => w())
    if (this.hang) {
      return await new Promise<string>((_resolve, reject) => {
        options.signal?.addEventListener('abort', () => reject(options.signal?.reason))
      })
    }
    if (this.failures-- > 0) throw new Error(`refused #${this.attempts.length}`)
    this.connected.add(address)
    return address
  }

  peers (): PeerStatus[] {
    return [...this.connected].map(peerId => ({ peerId, role: 'host', transport: 'memory', addrs: [], bytesSent: 0, bytesReceived: 0 }))
  }

  drop (peerId: string): void {
    this.connected.delete(peerId)
    this.dispatchEvent(new CustomEvent('peer:disconnect', { detail: { peerId } }))
  }

  async attempt (n: number): Promise<void> {
    while (this.attempts.length < n) await new Promise<void>(resolve => this.waiters.push(resolve))
  }
}

describe('keepDialing', () => {
  it('redials with growing delays, reports each step, and redials after a drop', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] })
    try {
      const mesh = new FakeMesh(3)
      const events: string[] = []
      const controller = new AbortController()
      const loop = keepDialing(mesh, 'peer-a', {
        signal: controller.signal,
        backoff: { initial: 20, max: 50 },
        onDialing: () => events.push('dialing'),
        onConnected: id => events.push(`connected ${id}`),
        onLost: id => events.push(`lost ${id}`),
        onFailed: err => events.push(`failed ${(err as Error).message}`)
      })
      await vi.advanceTimersByTimeAsync(1000)
      expect(events).toEqual([
        'dialing', 'failed refused #1', 'dialing', 'failed refused #2', 'dialing', 'failed refused #3', 'dialing', 'connected peer-a'
      ])
      const times = mesh.attempts.map(a => a.at - mesh.attempts[0]!.at)
      expect(times).toEqual([0, 20, 60, 110])
      mesh.drop('peer-a')
      await vi.advanceTimersByTimeAsync(19)
      expect(events.slice(8)).toEqual(['lost peer-a'])
      // A success started the backoff over: the redial comes after `initial`, not `max`.
      await vi.advanceTimersByTimeAsync(1)
      expect(events.slice(8)).toEqual(['lost peer-a', 'dialing', 'connected peer-a'])
      controller.abort()
      await loop
      mesh.drop('peer-a')
      await vi.advanceTimersByTimeAsync(1000)
      expect(mesh.attempts).toHaveLength(5)
      // Every dial was bounded, and stopped with the loop.
      expect(mesh.attempts.every(a => a.signal?.aborted === true)).toBe(true)
    } finally {
      vi.useRealTimers()
    }
  })

  it('bounds each dial by dialTimeout and stops a dial in progress when stopped', async () => {
    const mesh = new FakeMesh(0, true)
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
