/**
 * WebRTC links from this tab to other tabs. The tab learns of them from the
 * hosts' gossip (`knownPeers()`), and of the two tabs of a pair the one with
 * the lower peer id opens the link. Signaling (offer, answer, ICE candidates)
 * travels as mesh `signal` messages relayed by hosts. Once the data channel is
 * open the mesh handshake runs on it, binding both DTLS fingerprints.
 */
import { BackoffMap } from '@cairn/core/mesh'
import type { Mesh } from '@cairn/core'
import { isOffer } from '../transport/signal-codec.js'
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
}

export class RtcPeers {
  private readonly links = new Map<string, WebRtcLink>()
  /** Tabs whose link failed: retried with the mesh's backoff. */
  private readonly retry = new BackoffMap<string>({}, MAX_RETRY_ENTRIES)
  private timer: ReturnType<typeof setInterval> | undefined
  private readonly reconsider = (): void => { this.consider() }
  private readonly onSignal = (event: Event): void => {
    const { from, data } = (event as CustomEvent<{ from: string, data: Uint8Array }>).detail
    this.signal(from, data)
  }

  constructor (private readonly init: RtcPeersInit) {}

  start (): void {
    const { mesh } = this.init
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

  private open (peerId: string, initiator: boolean): WebRtcLink {
    const { mesh } = this.init
    const link = new WebRtcLink({
      initiator,
      iceServers: mesh.iceServers(),
      remoteAddress: `webrtc://${peerId}`,
      sendSignal: data => { mesh.signal(peerId, data).catch(err => { this.fail(peerId, link, err) }) }
    })
    this.links.set(peerId, link)
    void (async () => {
      try {
        const conn = await link.connection
        const reached = initiator ? await mesh.connect(conn) : await mesh.accept(conn)
        if (reached !== peerId) conn.close('unexpected peer')
        else this.retry.succeeded(peerId)
        this.links.delete(peerId)
      } catch (err) {
        this.fail(peerId, link, err)
      }
    })()
    return link
  }

  private fail (peerId: string, link: WebRtcLink, err: unknown): void {
    if (this.links.get(peerId) !== link) return
    link.destroy()
    this.links.delete(peerId)
    this.retry.failed(peerId)
    this.init.onError?.(peerId, err)
  }
}
