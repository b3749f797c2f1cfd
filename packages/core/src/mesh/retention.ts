import type { BlockId } from '../block/id.js'
import type { NodeContext } from './context.js'
import { Collector } from './gc.js'
import type { CollectorHooks } from './gc.js'
import { Remover } from './remove.js'
import type { TombstoneStore } from './tombstone-store.js'
import { Tombstones } from './tombstones.js'

/*
 * What a host keeps over time, wired together: garbage collection
 * (`gc.ts`), owner removal (`remove.ts`) and the tombstones both share
 * (`tombstones.ts`). Tombstones are loaded before the first pass, saved after
 * every pass (a failure is a `gc` background failure) and once more when the
 * node stops. A removal asks for a fresh pass after any running now.
 */
export class Retention {
  readonly collector: Collector
  readonly remover: Remover
  private readonly ctx: NodeContext
  private readonly tombstones: Tombstones
  private stopped = false

  /** `placing`: a put of `cid` is being coordinated here (its copies are in flight: GC leaves it alone). */
  constructor (ctx: NodeContext, tombstoneStore: TombstoneStore | undefined, placing: (cid: BlockId) => boolean, confirm: CollectorHooks['confirm']) {
    this.ctx = ctx
    this.tombstones = new Tombstones(tombstoneStore)
    this.collector = new Collector(ctx, {
      placing,
      confirm,
      isDeleted: (_cid, record) => this.tombstones.matches(record?.owner),
      passStarted: () => this.tombstones.passStarted(),
      passEnded: token => {
        this.tombstones.passEnded(token)
        this.tombstones.save().catch((err: unknown) => { ctx.failed('gc', err) })
      },
      reclaimed: (cid, why) => { if (why === 'deleted') this.tombstones.dropped(cid.toString()) }
    })
    this.remover = new Remover(ctx, this.tombstones, () => {
      this.collector.rerun().catch((err: unknown) => { if (!this.stopped) ctx.failed('gc', err) })
    })
  }

  /** Take in the saved tombstones; call once, before `start`. */
  async load (): Promise<void> {
    await this.tombstones.load()
  }

  /** GC passes every `gcInterval` ms. */
  start (gcInterval: number): void {
    this.collector.start(gcInterval)
  }

  /** No more passes; a pass a removal asked for that fails now is not reported. */
  stop (): void {
    this.stopped = true
    this.collector.stop()
  }

  /** Save what the last pass changed (a save may still be running): a failure is reported, not thrown. */
  async flush (): Promise<void> {
    await this.tombstones.save().catch((err: unknown) => { this.ctx.failed('gc', err) })
  }
}
