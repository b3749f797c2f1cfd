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

/** Accepts a plain link, a web link, or a bare `#file=…` fragment. */
export function parseAnyLink (text: string): ParsedLink {
  const trimmed = text.trim()
  const fragment = /[#&]file=([^&\s]*)/.exec(trimmed)
  return parseLink(fragment !== null && !/^https?:/i.test(trimmed) ? fragment[1]! : trimmed)
}

/**
 * Resolve `link`. Each block fetch (for the manifest now, for content when
 * the returned file is read) waits up to `timeout` for a peer that has it.
 */
export async function openLink (tab: Tab, link: ParsedLink, init: OpenInit = {}): Promise<OpenedFile> {
  const timeout = init.timeout ?? DEFAULT_OPEN_TIMEOUT
  const getBlock = async (id: BlockId, options: AbortOptions = {}): Promise<Uint8Array> => {
    const signals = [AbortSignal.timeout(timeout)]
    if (options.signal !== undefined) signals.push(options.signal)
    return await fetchWithRetry(tab, id, AbortSignal.any(signals))
  }
  return await openFile(link, getBlock, init.signal === undefined ? {} : { signal: init.signal })
}

/** `getBlock`, retried on `UnavailableError` until `signal` ends it. */
async function fetchWithRetry (tab: Tab, id: BlockId, signal: AbortSignal): Promise<Uint8Array> {
  for (;;) {
    try {
      return await tab.mesh.getBlock(id, { signal })
    } catch (err) {
      if (!(err instanceof UnavailableError) || signal.aborted) throw err
      await nextChance(tab, signal, err)
    }
  }
}

/** Resolve when a peer connects or a second passes; reject with `cause` when `signal` aborts. */
async function nextChance (tab: Tab, signal: AbortSignal, cause: Error): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer)
      tab.mesh.removeEventListener('peer:connect', done)
      signal.removeEventListener('abort', abort)
      resolve()
    }
    const abort = (): void => {
      done()
      reject(cause)
    }
    const timer = setTimeout(done, RETRY_MS)
    tab.mesh.addEventListener('peer:connect', done)
    signal.addEventListener('abort', abort)
  })
}
