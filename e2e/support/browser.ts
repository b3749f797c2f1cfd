/** How the e2e specs launch Chromium, in one place (config, fixtures and bench share it). */
import type { BrowserContextOptions } from '@playwright/test'

export const CHROMIUM = process.env['CAIRN_CHROMIUM'] ?? '/usr/bin/chromium'

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--allow-loopback-in-peer-connection'
]

/**
 * Every context is granted camera and microphone: without them Chromium hides
 * host ICE candidates behind mDNS names and offers no loopback candidate.
 */
export const CONTEXT_OPTIONS: BrowserContextOptions = {
  permissions: ['camera', 'microphone'],
  acceptDownloads: true
}
