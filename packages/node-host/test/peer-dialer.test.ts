import { describe, expect, it } from 'vitest'
import type { Mesh, PeerStatus } from '@cairn/core'
import { PeerDialer } from '../src/host/peer-dialer.js'

/** Just enough of a Mesh for the dialer: `dial`, `peers` and `peer:disconnect`. */
class FakeMesh extends EventTarget {
  connected = new Set<string>()
  attempts: string[] = []
  failuresLeft: number
  private waiters: Array<() => void> = []

  constructor (failures: number) {
    super()
    this.failuresLeft = failures
  }

  async dial (address: string, options: { signal?: AbortSignal } = {}): Promise<string> {
    options.signal?.throwIfAborted()
    this.attempts.push(address)
    this.waiters.splice(0).forEach(w => w())
    if (this.failuresLeft-- > 0) throw new Error('ECONNREFUSED')
    const id = `peer-of-${address}`
    this.connected.add(id)
    return id
  }

  peers (): PeerStatus[] {
    return [...this.connected].map(peerId => ({ peerId, role: 'host', transport: 'websocket', addrs: [], bytesSent: 0, bytesReceived: 0 }))
  }

  drop (peerId: string): void {
    this.connected.delete(peerId)
    this.dispatchEvent(new CustomEvent('peer:disconnect', { detail: { peerId } }))
  }

  async nextAttempt (): Promise<void> {
    await new Promise<void>(resolve => this.waiters.push(resolve))
  }
}

describe('PeerDialer', () => {
  it('retries a failing address, then redials after the connection drops', async () => {
    const mesh = new FakeMesh(3)
    const logs: string[] = []
    const dialer = new PeerDialer(mesh as unknown as Mesh, ['ws://a/mesh'], { initialBackoff: 1, maxBackoff: 4, log: l => logs.push(l) })
    dialer.start()
    while (mesh.connected.size === 0) await mesh.nextAttempt()
    await Promise.resolve()
    expect(mesh.attempts).toHaveLength(4)
    expect(logs.filter(l => l.startsWith('cannot reach'))).toHaveLength(1)
    const redial = mesh.nextAttempt()
    mesh.drop('peer-of-ws://a/mesh')
    await redial
    expect(mesh.attempts).toHaveLength(5)
    await dialer.stop()
    const attempts = mesh.attempts.length
    mesh.drop('peer-of-ws://a/mesh')
    await new Promise(resolve => setImmediate(resolve))
    expect(mesh.attempts).toHaveLength(attempts)
  })
})
