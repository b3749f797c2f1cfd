/**
 * WebRTC links from this tab to other tabs. The tab learns of them from the
 * hosts' gossip (`knownPeers()`), and of the two tabs of a pair the one with
 * the lower peer id opens the link. Signaling (offer, answer, ICE candidates)
 * travels as mesh `signal` messages relayed by hosts. Once the data channel is
 * open the mesh handshake runs on it, binding both DTLS fingerprints.
 *
 * Without WebRTC (no `RTCPeerConnection`) it makes no attempt, and when every
 * attempt fails it says so: `status` (rtc-status.ts), with a 'status' event
 * on each change. The tab then works through its hosts alone.
 */
import { BackoffMap } from '@cairn/core/mesh'
import type { Mesh } from '@cairn/core'
import { isOffer } from '../transport/signal-codec.js'
import { RtcAttempts, rtcSupport } from './rtc-status.js'
import type { RtcStatus } from './rtc-status.js'
import { WebRtcLink } from '../transport/webrtc.js'

/** Tabs this tab keeps WebRTC links to. */
export const DEFAULT_MAX_RTC_PEERS = 6
/** How often the known tabs are reconsidered (besides on every peer change). */
const RECONSIDER_MS = 2_000
/** Tabs whose failed links this tab remembers (for backoff), whatever gossip names. */
const MAX_RETRY_ENTRIES = 256

export interface RtcPeersInit {
  /** Its `iceServers()` (from the host, after joining; none: loopback and LAN candidates only) are asked for each new link. */
  mesh: Mesh
  maxPeers?: number
  /** Called when a link fails, for the UI's log. */
  onError?: (peerId: string, err: unknown) => void
  /** What this browser offers (default: probed with `rtcSupport()`). */
  support?: RtcStatus
}

/** Dispatches 'status' when direct links become unavailable, failing or available again. */
export class RtcPeers extends EventTarget {
  private readonly links = new Map<string, WebRtcLink>()
  /** Tabs whose link failed: retried with the mesh's backoff. */
  private readonly retry = new BackoffMap<string>({}, MAX_RETRY_ENTRIES)
  private timer: ReturnType<typeof setInterval> | undefined
  private readonly reconsider = (): void => { this.consider() }
  private readonly onSignal = (event: Event): void => {
    const { from, data } = (event as CustomEvent<{ from: string, data: Uint8Array }>).detail
    this.signal(from, data)
  }

  private readonly attempts: RtcAttempts

  constructor (private readonly init: RtcPeersInit) {
    super()
    this.attempts = new RtcAttempts(init.support ?? rtcSupport())
  }

  /** Whether this tab can link to other tabs directly, and why not. */
  get status (): RtcStatus {
    return this.attempts.status
  }

  start (): void {
    const { mesh } = this.init
    // No WebRTC at all: nothing to attempt or answer; the tab works through its hosts.
    if (this.attempts.status.state === 'unavailable') return
    mesh.addEventListener('signal', this.onSignal)
    mesh.addEventListener('peer:connect', this.reconsider)
    mesh.addEventListener('peer:disconnect', this.reconsider)
    this.timer = setInterval(this.reconsider, RECONSIDER_MS)
    this.consider()
  }

  stop (): void {
    const { mesh } = this.init
    clearInterval(this.timer)
    mesh.removeEventListener('signal', this.onSignal)
    mesh.removeEventListener('peer:connect', this.reconsider)
    mesh.removeEventListener('peer:disconnect', this.reconsider)
    for (const link of this.links.values()) link.destroy()
    this.links.clear()
  }

  /** Tabs with a link being negotiated. */
  get pending (): number {
    return this.links.size
  }

  private consider (): void {
    const { mesh } = this.init
    const connected = new Set(mesh.peers().map(p => p.peerId))
    let tabs = mesh.peers().filter(p => p.role === 'browser').length + this.links.size
    for (const peer of mesh.knownPeers()) {
      if (tabs >= (this.init.maxPeers ?? DEFAULT_MAX_RTC_PEERS)) break
      if (peer.role !== 'browser' || connected.has(peer.peerId) || this.links.has(peer.peerId)) continue
      if (!(mesh.peerId < peer.peerId) || !this.retry.ready(peer.peerId)) continue
      this.open(peer.peerId, true)
      tabs++
    }
  }

  private signal (from: string, data: Uint8Array): void {
    let link = this.links.get(from)
    const theyOpen = from < this.init.mesh.peerId
    // A fresh offer replaces a link still pending from an earlier attempt.
    if (link !== undefined && theyOpen && isOffer(data)) {
      link.destroy()
      this.links.delete(from)
      link = undefined
    }
    // A tab with a lower id is opening a link to us: answer it.
    if (link === undefined && theyOpen) link = this.open(from, false)
    try {
      link?.signal(data)
    } catch (err) {
      this.init.onError?.(from, err)
    }
  }

  private open (peerId: string, initiator: boolean): WebRtcLink | undefined {
    const { mesh } = this.init
    let link: WebRtcLink
    try {
      link = this.newLink(peerId, initiator)
    } catch (err) {
      // RTCPeerConnection refused outright (e.g. disabled by policy): a failed attempt.
      this.retry.failed(peerId)
      this.noteFailure(err)
      this.init.onError?.(peerId, err)
      return undefined
    }
    this.links.set(peerId, link)
    void (async () => {
      try {
        const conn = await link.connection
        const reached = initiator ? await mesh.connect(conn) : await mesh.accept(conn)
        if (reached !== peerId) conn.close('unexpected peer')
        else {
          this.retry.succeeded(peerId)
          if (this.attempts.connected()) this.dispatchEvent(new Event('status'))
        }
        this.links.delete(peerId)
      } catch (err) {
        this.fail(peerId, link, err)
      }
    })()
    return link
  }

  private newLink (peerId: string, initiator: boolean): WebRtcLink {
    const { mesh } = this.init
    const link: WebRtcLink = new WebRtcLink({
      initiator,
      iceServers: mesh.iceServers(),
      remoteAddress: `webrtc://${peerId}`,
      sendSignal: data => { mesh.signal(peerId, data).catch(err => { this.fail(peerId, link, err) }) }
    })
    return link
  }

  private fail (peerId: string, link: WebRtcLink, err: unknown): void {
    if (this.links.get(peerId) !== link) return
    link.destroy()
    this.links.delete(peerId)
    this.retry.failed(peerId)
    this.noteFailure(err)
    this.init.onError?.(peerId, err)
  }

  private noteFailure (err: unknown): void {
    if (this.attempts.failed(err)) this.dispatchEvent(new Event('status'))
  }
}
