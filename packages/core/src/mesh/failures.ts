import { CairnError } from '../errors.js'
import type { BackgroundFailures } from '../wire/messages.js'

/*
 * Work a node does that nobody awaits (repair passes, restores, best-effort
 * caching, unawaited sends, serving peers) must not fail silently: each
 * failure is counted per kind (`HostStatus.backgroundFailures`, shown by
 * `cairn status`) and dispatched as a `background:failure` event, which a
 * host logs. Failures that are expected are not failures: a send to a
 * connection that is closing, an abort because the node is stopping.
 */

export type BackgroundKind = keyof BackgroundFailures

/** Detail of a `background:failure` event. */
export interface BackgroundFailure {
  kind: BackgroundKind
  /** The error's stable code (`ERR_INTERNAL` for an untyped one). */
  code: string
  message: string
}

export class FailureCounter {
  private readonly counts: BackgroundFailures = { repair: 0, restore: 0, cache: 0, send: 0, serve: 0, address: 0, audit: 0, gc: 0 }
  private readonly dispatch: (type: string, detail: BackgroundFailure) => void

  constructor (dispatch: (type: string, detail: BackgroundFailure) => void) {
    this.dispatch = dispatch
  }

  /** Count `err` as a failure of `kind` and report it. */
  record (kind: BackgroundKind, err: unknown): void {
    this.counts[kind] = (this.counts[kind] ?? 0) + 1
    this.dispatch('background:failure', { kind, code: codeOf(err), message: err instanceof Error ? err.message : String(err) })
  }

  /** A copy of the counts so far. */
  snapshot (): BackgroundFailures {
    return { ...this.counts }
  }
}

function codeOf (err: unknown): string {
  return err instanceof CairnError ? err.code : 'ERR_INTERNAL'
}
