import { describe, expect, it } from 'vitest'
import { FAILURES_BEFORE_FAILING, RtcAttempts, rtcSupport } from './rtc-status.js'

describe('rtcSupport', () => {
  it('is unavailable, saying why, without RTCPeerConnection', () => {
    const status = rtcSupport({})
    expect(status.state).toBe('unavailable')
    expect(status.reason).toMatch(/RTCPeerConnection is missing/)
  })

  it('is available with RTCPeerConnection', () => {
    expect(rtcSupport({ RTCPeerConnection: class {} })).toEqual({ state: 'available', reason: '' })
  })
})

describe('RtcAttempts', () => {
  it('turns failing after repeated failures with no success, and back on a link', () => {
    const attempts = new RtcAttempts({ state: 'available', reason: '' })
    for (let i = 1; i < FAILURES_BEFORE_FAILING; i++) expect(attempts.failed(new Error('ice failed'))).toBe(false)
    expect(attempts.failed(new Error('ice failed'))).toBe(true)
    expect(attempts.status.state).toBe('failing')
    expect(attempts.status.reason).toMatch(/ice failed/)
    expect(attempts.connected()).toBe(true)
    expect(attempts.status.state).toBe('available')
  })

  it('does not call WebRTC failing once a link has worked', () => {
    const attempts = new RtcAttempts({ state: 'available', reason: '' })
    attempts.connected()
    for (let i = 0; i < FAILURES_BEFORE_FAILING * 2; i++) attempts.failed(new Error('x'))
    expect(attempts.status.state).toBe('available')
  })

  it('stays unavailable whatever happens', () => {
    const attempts = new RtcAttempts({ state: 'unavailable', reason: 'none' })
    expect(attempts.failed(new Error('x'))).toBe(false)
    expect(attempts.status.state).toBe('unavailable')
  })
})
