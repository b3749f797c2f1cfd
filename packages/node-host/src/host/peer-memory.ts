/**
 * What a host remembers of its peers across restarts (`<data>/peers.json`,
 * config/peers-file.ts): the `--peer` addresses it was given (pinned), and every
 * host it connected to or heard of through gossip. On start it hands the dialer
 * all of them; while it runs it records hosts as they come (saved a second
 * later, and on close).
 */
import type { Mesh, PeerInfo, PeerStatus } from '@cairn/core'
import { MAX_ADDRS } from '@cairn/core/wire'
import { MAX_SAVED_PEERS, loadPeers, savePeers, type DataDirPaths, type SavedPeer } from '../config/index.js'

/** Changes are written at most this often, ms. */
const SAVE_DELAY = 1_000

export class PeerMemory {
  private readonly peers: SavedPeer[]
  private mesh: Mesh | undefined
  private timer: ReturnType<typeof setTimeout> | undefined
  private saving: Promise<void> = Promise.resolve()
  private readonly listeners: Array<[string, (e: Event) => void]> = []

  private constructor (
    private readonly paths: DataDirPaths,
    private readonly token: string,
    saved: SavedPeer[],
    private readonly out: { log: (line: string) => void, warn: (line: string) => void }
  ) {
    this.peers = saved
  }

  /**
   * Load what was saved for this mesh, add the `--peer` addresses (pinned) and save
   * at once, so the flags are remembered even if the host never reaches them.
   */
  static async open (paths: DataDirPaths, token: string, flagged: string[], out: PeerMemory['out']): Promise<PeerMemory> {
    const { peers, dropped } = await loadPeers(paths, token)
    if (dropped > 0) out.log(`forgot ${dropped} saved peer${dropped === 1 ? '' : 's'} of another mesh or unseen for a week (${paths.peers})`)
    const memory = new PeerMemory(paths, token, peers, out)
    const now = Date.now()
    for (const address of flagged) {
      const entry = memory.peers.find(p => p.addrs.includes(address))
      if (entry === undefined) memory.peers.unshift({ addrs: [address], pinned: true, seen: now })
      else entry.pinned = true
    }
    memory.trim()
    await memory.save()
    return memory
  }

  /**
   * Addresses to keep connected to, each once: pinned ones in full, then the first
   * (most widely reachable) address of every other remembered host; never `own`.
   */
  dialList (own: string[]): string[] {
    const list = new Set<string>()
    for (const peer of this.peers) if (peer.pinned === true) for (const addr of peer.addrs) list.add(addr)
    for (const peer of this.peers) {
      if (peer.pinned !== true && !peer.addrs.some(a => list.has(a))) list.add(peer.addrs[0]!)
    }
    for (const addr of own) list.delete(addr)
    return [...list]
  }

  /** Record hosts as they connect or are gossiped about. */
  watch (mesh: Mesh): void {
    this.mesh = mesh
    this.listen('peer:connect', e => {
      const peer = (e as CustomEvent<PeerStatus>).detail
      if (peer.role === 'host') this.remember(peer)
    })
    this.listen('gossip', e => {
      for (const info of (e as CustomEvent<{ peers: PeerInfo[] }>).detail.peers) if (info.role === 'host') this.remember(info)
    })
  }

  /** Stop recording; write what changed (connected hosts seen now). */
  async close (): Promise<void> {
    for (const [type, listener] of this.listeners.splice(0)) this.mesh?.removeEventListener(type, listener)
    clearTimeout(this.timer)
    this.timer = undefined
    this.touchConnected()
    await this.save()
  }

  private listen (type: string, listener: (e: Event) => void): void {
    this.mesh!.addEventListener(type, listener)
    this.listeners.push([type, listener])
  }

  private remember (info: { peerId: string, addrs: string[] }): void {
    const addrs = info.addrs.slice(0, MAX_ADDRS)
    if (addrs.length === 0 || info.peerId === this.mesh?.peerId) return
    // The entry of this peer, or a pinned address it turned out to be.
    const entry = this.peers.find(p => p.peerId === info.peerId) ??
      this.peers.find(p => p.peerId === undefined && p.addrs.some(a => addrs.includes(a)))
    if (entry === undefined) {
      this.peers.push({ peerId: info.peerId, addrs, seen: Date.now() })
    } else {
      entry.peerId = info.peerId
      entry.seen = Date.now()
      // A pinned entry keeps the address it was given, first.
      entry.addrs = entry.pinned === true ? [...new Set([...entry.addrs, ...addrs])].slice(0, MAX_ADDRS) : addrs
    }
    this.trim()
    this.timer ??= setTimeout(() => {
      this.timer = undefined
      this.touchConnected()
      void this.save()
    }, SAVE_DELAY)
  }

  private touchConnected (): void {
    const now = Date.now()
    const connected = new Set(this.mesh?.peers().map(p => p.peerId) ?? [])
    for (const peer of this.peers) if (peer.peerId !== undefined && connected.has(peer.peerId)) peer.seen = now
  }

  /** Pinned first, then the most recently seen; at most MAX_SAVED_PEERS. */
  private trim (): void {
    this.peers.sort((a, b) => Number(b.pinned === true) - Number(a.pinned === true) || b.seen - a.seen)
    this.peers.splice(MAX_SAVED_PEERS)
  }

  /** Saves run one after another; a failure is a warning, never thrown (the host keeps running). */
  private async save (): Promise<void> {
    const snapshot = this.peers.map(p => ({ ...p, addrs: [...p.addrs] }))
    this.saving = this.saving.then(async () => {
      await savePeers(this.paths, this.token, snapshot)
    }).catch((err: unknown) => {
      this.out.warn(`cannot save ${this.paths.peers}: ${err instanceof Error ? err.message : String(err)}`)
    })
    await this.saving
  }
}
