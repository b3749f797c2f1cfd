import type { BlockId } from '../block/id.js'

/**
 * Which held blocks a repair pass looks at, and which it left under R.
 *
 * A full pass assesses every held block (at start, on a membership change,
 * periodically, on request). Between them, what can change a block's count
 * without a membership change is a block this host just stored (a put, a
 * repair copy, a block fetched back) and a block left under R (another holder
 * may be copying it). So a pass due to either assesses only those: a put of a
 * GiB onto a host costs each of its blocks one assessment, not one per pass
 * over everything held (a pass every second or so during the put, each
 * probing every held block on its peers: 2–3.5 CPU-s per GiB put, R = 3, on
 * three hosts together, issue 12), and a host holding millions of blocks
 * does not probe them all for every small put.
 *
 * `underReplicated` is then the blocks each found under R by its latest
 * assessment: a full pass replaces that set, a partial one updates the blocks
 * it assessed. A block deleted since (GC, expiry, owner removal) stays in it
 * until the next pass that looks at it: the follow-up, since it is under.
 */
export class RepairScope {
  /** Stored since the last pass began. */
  private readonly fresh = new Map<string, BlockId>()
  /** Under R at their latest assessment. */
  private under = new Map<string, BlockId>()

  /** Held blocks under R as of their latest assessment. */
  get underCount (): number {
    return this.under.size
  }

  /** This host now holds `cid`: the next partial pass assesses it. */
  add (cid: BlockId): void {
    this.fresh.set(cid.toString(), cid)
  }

  /** A pass begins: a partial one takes the blocks stored since the last began and those left under R; a full one covers them all. */
  begin (partial: boolean): BlockId[] | undefined {
    const blocks = partial ? [...new Map([...this.under, ...this.fresh]).values()] : undefined
    this.fresh.clear()
    return blocks
  }

  /**
   * A pass's verdicts: `under`, the blocks it found under R, of `assessed` (the blocks it
   * looked at and no longer needs to, including any no longer held), or of every held block.
   */
  settle (assessed: Iterable<BlockId> | 'all', under: Map<string, BlockId>): void {
    if (assessed === 'all') {
      this.under = under
      return
    }
    for (const cid of assessed) this.under.delete(cid.toString())
    for (const [key, cid] of under) this.under.set(key, cid)
  }
}
