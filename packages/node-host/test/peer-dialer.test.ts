import { describe, expect, it } from 'vitest'
import type { Mesh } from '@cairn/core'
import { FakeDialingMesh } from '@cairn/core/testing'
import { PeerDialer } from '../src/host/peer-dialer.js'

describe('PeerDialer', () => {
  it('retries a failing address, then redials after the connection drops', async () => {
    const mesh = new FakeDialingMesh({ failures: 3 })
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
