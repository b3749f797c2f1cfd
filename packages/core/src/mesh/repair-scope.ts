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
 * `underCount` is then the blocks found under R by their latest assessment:
 * a full pass replaces that set, a partial one updates the blocks it
 * assessed. A block deleted since (GC, expiry, owner removal) stays in it
 * until the next pass that looks at it: the follow-up, since it is under.
 *
 * Both sets hold at most `MAX_SCOPE_BLOCKS` ids (~10 MiB). Past that (a huge
 * upload between passes; more blocks under R than that, as when fewer hosts
 * are live than R asks for) only the count is kept and the next passes cover
 * every held block again, as they all did before.
 */
export const MAX_SCOPE_BLOCKS = 65_536

export class RepairScope {
  /** Stored since the last pass began. */
  private readonly fresh = new Map<string, BlockId>()
  /** Under R at their latest assessment. */
  private under = new Map<string, BlockId>()
  /** Blocks under R beyond `under`'s cap, as of the last full pass. */
  private untracked = 0
  /** More blocks than the sets hold: the next pass covers every held block. */
  private overflowed = false

  /** Held blocks under R as of their latest assessment. */
  get underCount (): number {
    return this.under.size + this.untracked
  }

  /** This host now holds `cid`: the next partial pass assesses it. */
  add (cid: BlockId): void {
    if (this.overflowed) return
    if (this.fresh.size >= MAX_SCOPE_BLOCKS) {
      this.overflowed = true
      this.fresh.clear()
      return
    }
    this.fresh.set(cid.toString(), cid)
  }

  /**
   * A pass begins: a partial one takes the blocks stored since the last began and those
   * left under R, unless only a full pass can tell (undefined: every held block).
   */
  begin (partial: boolean): BlockId[] | undefined {
    const full = !partial || this.overflowed || this.untracked > 0
    const blocks = full ? undefined : [...new Map([...this.under, ...this.fresh]).values()]
    this.fresh.clear()
    if (full) this.overflowed = false
    return blocks
  }

  /** `cid` is no longer held (dropped as corrupt: counted as lost until it is back). */
  forget (cid: BlockId): void {
    this.under.delete(cid.toString())
  }

  /** A pass that failed took `blocks` (`begin`'s): the next one takes them again. */
  putBack (blocks: BlockId[] | undefined): void {
    if (blocks === undefined) this.overflowed = true
    else for (const cid of blocks) this.add(cid)
  }

  /**
   * A pass's verdicts: `under`, of the blocks it found under R (at most `MAX_SCOPE_BLOCKS`;
   * `count` in all), among `assessed` (the blocks it looked at, including any no longer
   * held) or among every held block.
   */
  settle (assessed: Iterable<BlockId> | 'all', under: Map<string, BlockId>, count: number): void {
    if (assessed === 'all') {
      this.under = under
      this.untracked = count - under.size
      return
    }
    for (const cid of assessed) this.under.delete(cid.toString())
    for (const [key, cid] of under) this.under.set(key, cid)
    if (this.under.size > MAX_SCOPE_BLOCKS) this.overflowed = true
  }
}
