/**
 * The mesh in a tab: a `MeshNode` (role 'browser') with this tab's identity
 * and IndexedDB store, a WebSocket to the host that served the page, and
 * WebRTC links to other tabs. The host connection is kept by core
 * `keepDialing`: redialed with the mesh's backoff when it drops.
 */
import { MeshNode, meshAddressOf } from '@cairn/core'
import { keepDialing } from '@cairn/core/mesh'
import type { CairnError } from '@cairn/core'
import { IdbBlockStore } from '../store/idb.js'
import { BrowserWebSocketTransport } from '../transport/websocket.js'
import { loadTabIdentity } from './identity-store.js'
import { RtcPeers } from './rtc-peers.js'

export type HostState = 'connecting' | 'connected' | 'disconnected'

export interface TabInit {
  location: { protocol: string, host: string }
  joinToken: string
  /** Display name sent in the hello (the browser and OS). */
  name?: string
  /** Store options (tests may cap it). */
  maxStorage?: number
  /** Names each startup wait (for the page's stalled-startup notice). */
  step?: <T>(name: string, promise: Promise<T>) => Promise<T>
}

/** Dispatches 'state' (host connection changed) and 'error' (a failure to show). */
export class Tab extends EventTarget {
  state: HostState = 'connecting'
  hostPeerId: string | undefined
  lastError: CairnError | Error | undefined
  private readonly controller = new AbortController()
  private hostLoop: Promise<void> | undefined

  private constructor (
    readonly mesh: MeshNode,
    readonly store: IdbBlockStore,
    readonly rtc: RtcPeers,
    readonly hostUrl: string,
    readonly identitySlot: number
  ) {
    super()
  }

  static async start (init: TabInit): Promise<Tab> {
    const step = init.step ?? (async <T>(_name: string, promise: Promise<T>): Promise<T> => await promise)
    const [{ identity, slot }, store] = await Promise.all([
      step('this tab\'s identity (Web Locks, IndexedDB)', loadTabIdentity()),
      step('the block store (IndexedDB)', IdbBlockStore.open({ maxStorage: init.maxStorage }))
    ])
    const mesh = new MeshNode({
      identity,
      role: 'browser',
      store,
      transports: [new BrowserWebSocketTransport()],
      joinToken: init.joinToken,
      name: init.name
    })
    await step('the mesh node', mesh.start())
    const rtc = new RtcPeers({ mesh })
    const tab = new Tab(mesh, store, rtc, meshAddressOf(init.location), slot)
    rtc.start()
    tab.keepHost()
    return tab
  }

  get peerId (): string {
    return this.mesh.peerId
  }

  async stop (): Promise<void> {
    this.controller.abort()
    this.rtc.stop()
    await this.hostLoop
    await this.mesh.stop()
  }

  /** Dial the host that served the page, and redial whenever the connection drops. */
  private keepHost (): void {
    this.hostLoop = keepDialing(this.mesh, this.hostUrl, {
      signal: this.controller.signal,
      onDialing: () => { this.setState('connecting') },
      onConnected: peerId => {
        this.hostPeerId = peerId
        this.setState('connected')
      },
      onLost: () => { this.setState('disconnected') },
      onFailed: err => {
        this.lastError = err instanceof Error ? err : new Error('cannot reach the host', { cause: err })
        this.dispatchEvent(new CustomEvent('error', { detail: this.lastError }))
        this.setState('disconnected')
      }
    })
  }

  private setState (state: HostState): void {
    this.state = state
    this.dispatchEvent(new CustomEvent('state', { detail: state }))
  }
}
