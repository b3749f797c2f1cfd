/**
 * Whether this tab can make direct (WebRTC) links to other tabs, and if not,
 * why. A browser without `RTCPeerConnection` (WebKitGTK, WebRTC disabled by
 * policy or by a privacy extension) never can; one whose every attempt fails
 * (blocked UDP, no usable candidate) is told so after a few failures with no
 * success. Everything else (adding, opening, streaming, previewing) goes
 * through the hosts over the WebSocket and works either way; only a block
 * that no host holds and only another tab has cannot be fetched.
 */

export type RtcState = 'available' | 'unavailable' | 'failing'

export interface RtcStatus {
  state: RtcState
  /** Why direct links are unavailable or failing (empty when available). */
  reason: string
}

/** Failed attempts, with no link ever made, before the tab says WebRTC is failing. */
export const FAILURES_BEFORE_FAILING = 3

/** What this browser offers, before any attempt. */
export function rtcSupport (scope: { RTCPeerConnection?: unknown } = globalThis as { RTCPeerConnection?: unknown }): RtcStatus {
  if (typeof scope.RTCPeerConnection !== 'function') {
    return { state: 'unavailable', reason: 'this browser has no WebRTC (RTCPeerConnection is missing: not built in, or disabled by a policy or an extension)' }
  }
  return { state: 'available', reason: '' }
}

/** Follows link attempts: 'failing' once `FAILURES_BEFORE_FAILING` fail with none succeeding; 'available' again on a success. */
export class RtcAttempts {
  private failures = 0
  private succeeded = false
  status: RtcStatus

  constructor (initial: RtcStatus) {
    this.status = initial
  }

  /** Record a failed attempt; true if the status changed. */
  failed (err: unknown): boolean {
    if (this.status.state === 'unavailable') return false
    this.failures++
    if (this.succeeded || this.failures < FAILURES_BEFORE_FAILING) return false
    const detail = err instanceof Error ? err.message : String(err)
    const changed = this.status.state !== 'failing'
    this.status = { state: 'failing', reason: `every WebRTC link this tab tried failed (${this.failures} so far; last: ${detail})` }
    return changed
  }

  /** Record a link made; true if the status changed. */
  connected (): boolean {
    this.succeeded = true
    this.failures = 0
    const changed = this.status.state !== 'available'
    this.status = { state: 'available', reason: '' }
    return changed
  }
}
