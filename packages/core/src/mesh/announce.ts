import type { BlockId } from '../block/id.js'
import { MAX_HAVE_CIDS } from '../wire/limits.js'
import type { NodeContext } from './context.js'
import type { Peer } from './peer.js'

/**
 * A browser tab tells its peers which blocks it holds (unsolicited `have`),
 * so other tabs can fetch from it too. New blocks are batched; a new peer
 * gets the most recent ones.
 */
export class Announcer {
  private readonly ctx: NodeContext
  private readonly recent = new Map<string, BlockId>()
  private pending: BlockId[] = []
  private timer: ReturnType<typeof setTimeout> | undefined

  constructor (ctx: NodeContext) {
    this.ctx = ctx
  }

  get enabled (): boolean {
    return this.ctx.role === 'browser'
  }

  held (cid: BlockId): void {
    if (!this.enabled) return
    const key = cid.toString()
    this.recent.delete(key)
    this.recent.set(key, cid)
    if (this.recent.size > MAX_HAVE_CIDS) {
      const oldest = this.recent.keys().next().value
      if (oldest !== undefined) this.recent.delete(oldest)
    }
    this.pending.push(cid)
    if (this.pending.length >= MAX_HAVE_CIDS) this.flush()
    else this.timer ??= setTimeout(() => { this.flush() }, this.ctx.tuning.gossipDelay)
  }

  greet (peer: Peer): void {
    if (!this.enabled || this.recent.size === 0) return
    peer.post({ t: 'have', cids: [...this.recent.values()].map(cid => cid.bytes) })
  }

  stop (): void {
    clearTimeout(this.timer)
    this.pending = []
  }

  private flush (): void {
    clearTimeout(this.timer)
    this.timer = undefined
    const cids = this.pending.splice(0).map(cid => cid.bytes)
    if (cids.length === 0) return
    for (const peer of this.ctx.peerList()) peer.post({ t: 'have', cids })
  }
}
