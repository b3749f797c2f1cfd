/**
 * The mesh in a tab: a `MeshNode` (role 'browser') with this tab's identity
 * and IndexedDB store, a WebSocket to the host that served the page, and
 * WebRTC links to other tabs. The host connection is redialed with backoff
 * when it drops.
 */
import { MeshNode, meshAddressOf } from '@cairn/core'
import type { CairnError } from '@cairn/core'
import { IdbBlockStore } from '../store/idb.js'
import { BrowserWebSocketTransport } from '../transport/websocket.js'
import { loadTabIdentity } from './identity-store.js'
import { RtcPeers } from './rtc-peers.js'

export type HostState = 'connecting' | 'connected' | 'disconnected'

const FIRST_RETRY_MS = 1_000
const MAX_RETRY_MS = 30_000

export interface TabInit {
  location: { protocol: string, host: string }
  joinToken: string
  /** Store options (tests may cap it). */
  maxStorage?: number
}

/** Dispatches 'state' (host connection changed) and 'error' (a failure to show). */
export class Tab extends EventTarget {
  state: HostState = 'connecting'
  hostPeerId: string | undefined
  lastError: CairnError | Error | undefined
  private retryMs = FIRST_RETRY_MS
  private retryTimer: ReturnType<typeof setTimeout> | undefined
  private stopped = false

  private constructor (
    readonly mesh: MeshNode,
    readonly store: IdbBlockStore,
    readonly rtc: RtcPeers,
    readonly hostUrl: string,
    readonly identitySlot: number
  ) {
    super()
    mesh.addEventListener('peer:disconnect', event => {
      const { peerId } = (event as CustomEvent<{ peerId: string }>).detail
      if (peerId === this.hostPeerId) this.hostLost()
    })
  }

  static async start (init: TabInit): Promise<Tab> {
    const [{ identity, slot }, store] = await Promise.all([
      loadTabIdentity(),
      IdbBlockStore.open({ maxStorage: init.maxStorage })
    ])
    const mesh = new MeshNode({
      identity,
      role: 'browser',
      store,
      transports: [new BrowserWebSocketTransport()],
      joinToken: init.joinToken
    })
    await mesh.start()
    const rtc = new RtcPeers({ mesh, iceServers: () => mesh.iceServers() })
    const tab = new Tab(mesh, store, rtc, meshAddressOf(init.location), slot)
    rtc.start()
    void tab.connectHost()
    return tab
  }

  get peerId (): string {
    return this.mesh.peerId
  }

  async stop (): Promise<void> {
    this.stopped = true
    clearTimeout(this.retryTimer)
    this.rtc.stop()
    await this.mesh.stop()
  }

  private async connectHost (): Promise<void> {
    this.setState('connecting')
    try {
      this.hostPeerId = await this.mesh.dial(this.hostUrl, { signal: AbortSignal.timeout(15_000) })
      this.retryMs = FIRST_RETRY_MS
      this.setState('connected')
    } catch (err) {
      this.lastError = err instanceof Error ? err : new Error('cannot reach the host', { cause: err })
      this.dispatchEvent(new CustomEvent('error', { detail: this.lastError }))
      this.hostLost()
    }
  }

  private hostLost (): void {
    if (this.stopped) return
    this.setState('disconnected')
    clearTimeout(this.retryTimer)
    this.retryTimer = setTimeout(() => { void this.connectHost() }, this.retryMs)
    this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs * 2)
  }

  private setState (state: HostState): void {
    this.state = state
    this.dispatchEvent(new CustomEvent('state', { detail: state }))
  }
}
