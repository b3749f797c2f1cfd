/**
 * Opening a share link in a tab: parse it (a bad or truncated link is a
 * `LinkError` naming what is wrong), then resolve its manifest from the mesh.
 * Blocks may not be reachable yet (the tab holding them is still connecting),
 * so `UnavailableError` is retried as peers come, within a time bound.
 */
import { openFile, parseLink, UnavailableError } from '@cairn/core'
import type { AbortOptions, BlockId, OpenedFile, ParsedLink } from '@cairn/core'
import type { Tab } from '../mesh/tab.js'

/** How long to wait for a peer that has the file. */
export const DEFAULT_OPEN_TIMEOUT = 30_000
const RETRY_MS = 1_000

export interface OpenInit {
  signal?: AbortSignal
  /** Per block: how long to wait for a peer that has it (default 30 s). */
  timeout?: number
}

/** Accepts a plain link, a web link, or a bare `#file=…` fragment, with surrounding whitespace (as pasted). */
export function parseAnyLink (text: string): ParsedLink {
  return parseLink(text.trim())
}

/**
 * Resolve `link`. Each block fetch (for the manifest now, for content when
 * the returned file is read) waits up to `timeout` for a peer that has it.
 */
export async function openLink (tab: Tab, link: ParsedLink, init: OpenInit = {}): Promise<OpenedFile> {
  const timeout = init.timeout ?? DEFAULT_OPEN_TIMEOUT
  const getBlock = async (id: BlockId, options: AbortOptions = {}): Promise<Uint8Array> =>
    await fetchWithRetry(tab, id, AbortSignal.timeout(timeout), options.signal)
  return await openFile(link, getBlock, init.signal === undefined ? {} : { signal: init.signal })
}

/**
 * `getBlock`, retried on `UnavailableError` until `deadline`; then (or if the
 * deadline cuts a request short) `UnavailableError`. `signal` is the caller's
 * own cancellation, which ends it with `AbortError`.
 */
async function fetchWithRetry (tab: Tab, id: BlockId, deadline: AbortSignal, signal?: AbortSignal): Promise<Uint8Array> {
  const both = signal === undefined ? deadline : AbortSignal.any([deadline, signal])
  let last: unknown
  for (;;) {
    try {
      return await tab.mesh.getBlock(id, { signal: both })
    } catch (err) {
      if (signal?.aborted === true) throw err
      const timedOut = deadline.aborted
      if (!(err instanceof UnavailableError) && !timedOut) throw err
      last = err instanceof UnavailableError ? err : last ?? err
      if (timedOut) throw new UnavailableError(`block ${id.toString()}: no reachable peer has it`, { cause: last })
      await nextChance(tab, both)
    }
  }
}

/** Resolve when a peer connects, a second passes or `signal` aborts. */
async function nextChance (tab: Tab, signal: AbortSignal): Promise<void> {
  await new Promise<void>(resolve => {
    const done = (): void => {
      clearTimeout(timer)
      tab.mesh.removeEventListener('peer:connect', done)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, RETRY_MS)
    tab.mesh.addEventListener('peer:connect', done)
    signal.addEventListener('abort', done)
  })
}
