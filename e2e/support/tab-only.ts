/**
 * A file that only a Chromium tab holds: a `--no-store` host (relaying or
 * not) keeps no copy, so another tab gets it over WebRTC or through the
 * host's relay, or not at all.
 */
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { addFile, waitConnected, writeRandomFile } from './app.js'
import { expect } from './fixtures.js'
import type { Host, HostOptions } from './fixtures.js'

export interface TabOnlyKit {
  startHost: (options?: HostOptions) => Promise<Host>
  openTab: (url: string) => Promise<Page>
  tmp: string
}

export interface TabOnlyFile { host: Host, holder: Page, link: string, sha: string, size: number }

/** Start a `--no-store` host (`--relay BUDGET` when `relay` is given), add `size` random bytes in a Chromium tab. */
export async function addTabOnlyFile (kit: TabOnlyKit, size: number, seed: number, relay?: string): Promise<TabOnlyFile> {
  const host = await kit.startHost({ noStore: true, extraArgs: relay === undefined ? [] : ['--relay', relay] })
  const input = join(kit.tmp, `tab-only-${seed}.bin`)
  const sha = await writeRandomFile(input, size, seed)
  const holder = await kit.openTab(host.url)
  await waitConnected(holder)
  const { link, replicas } = await addFile(holder, input)
  expect(replicas, 'a --no-store host keeps no copy').toBe(0)
  return { host, holder, link, sha, size }
}

/** `cairn status --json` of `host`: its relay fields and block count. */
export async function relayStatus (cli: (args: string[]) => Promise<{ code: number | null, stdout: string, stderr: string }>, host: Host): Promise<{ blocks: number, relay: boolean, relayBudget?: number, relayedBytes: number }> {
  const asked = await cli(['status', '--json', '--mesh', host.url])
  expect(asked.code, asked.stderr).toBe(0)
  return JSON.parse(asked.stdout) as { blocks: number, relay: boolean, relayBudget?: number, relayedBytes: number }
}
