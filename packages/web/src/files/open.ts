/**
 * Opening a share link in a tab: parse it (a bad or truncated link is a
 * `LinkError` naming what is wrong), then resolve its manifest from the mesh.
 * Blocks may not be reachable yet (the tab holding them is still connecting),
 * so the mesh's block source waits for a peer that has each, within a time
 * bound (`BlockSourceInit.wait`), but only while peers are still coming: once
 * every peer that could have it has answered, "not available" is final.
 */
import { openFile, parseLink } from '@cairn/core'
import type { BlockSource, OpenedFile, ParsedLink } from '@cairn/core'
import { peersComing, trackArrivals } from '../mesh/peers-coming.js'
import type { Tab } from '../mesh/tab.js'

/** How long to wait for a peer that has the file. */
export const DEFAULT_OPEN_TIMEOUT = 30_000

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
export async function openLink (tab: Tab, link: Pick<ParsedLink, 'root' | 'key'>, init: OpenInit = {}): Promise<OpenedFile> {
  return await openFile(link, tabBlockSource(tab, init), init.signal === undefined ? {} : { signal: init.signal })
}

/** The mesh's blocks as this tab reads them: each waits up to `timeout` for a peer that has it, while peers are coming. */
export function tabBlockSource (tab: Tab, init: Pick<OpenInit, 'timeout'> = {}): BlockSource {
  trackArrivals(tab)
  return tab.mesh.blockSource({ wait: init.timeout ?? DEFAULT_OPEN_TIMEOUT, peersComing: () => peersComing(tab) })
}
