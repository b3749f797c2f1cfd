import { describe, expect, it } from 'vitest'
import { RelayBudgetError } from '@cairn/core'
import type { PeerStatus } from '@cairn/core'
import { statusFor } from '../sw/failure.js'
import { describeError } from '../ui/errors.js'
import { relayingHosts, relayText } from './relay-status.js'

const peer = (over: Partial<PeerStatus>): PeerStatus => ({ peerId: 'bpeer0000000000000', role: 'host', transport: 'ws', addrs: [], bytesSent: 0, bytesReceived: 0, ...over })

describe('relay status', () => {
  it('names the connected hosts that relay, and only hosts', () => {
    const peers = [peer({ name: 'attic', relays: true }), peer({ name: 'cellar' }), peer({ role: 'browser', name: 'tab', relays: true })]
    expect(relayingHosts(peers).map(p => p.name)).toEqual(['attic'])
    expect(relayText(peers)).toBe('Host relay: attic relays blocks between tabs that cannot link directly.')
  })

  it('says when no host relays, and what that means', () => {
    expect(relayText([peer({ name: 'cellar' })])).toMatch(/^Host relay: no connected host relays blocks between tabs.*--relay/)
  })
})

describe('a relay that will not serve', () => {
  it('says the host\'s relay budget is used up, by code, and answers the service worker with 503', () => {
    const shown = describeError(new RelayBudgetError('peer replied ERR_RELAY_BUDGET'))
    expect(shown.code).toBe('ERR_RELAY_BUDGET')
    expect(shown.summary).toContain('relay budget is used up')
    expect(statusFor('ERR_RELAY_BUDGET')).toBe(503)
    expect(statusFor('ERR_RELAY_BUSY')).toBe(503)
  })
})
