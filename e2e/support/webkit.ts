/**
 * WebKitGTK (Debian's `webkit2gtk-driver`): `WebKitWebDriver` under
 * `xvfb-run`, launching MiniBrowser for each session, driven by webdriverio
 * over WebDriver classic. Each tab is its own session (own MiniBrowser, own
 * ephemeral storage). WebKitGTK has no `RTCPeerConnection`: these tabs show
 * how Cairn works without WebRTC.
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { remote } from 'webdriverio'
import type { EngineTab } from './engine-tab.js'
import { byTestId } from './engine-tab.js'

export const WEBKIT_DRIVER = process.env['CAIRN_WEBKIT_DRIVER'] ?? '/usr/bin/WebKitWebDriver'
export const MINIBROWSER = process.env['CAIRN_MINIBROWSER'] ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser'
const XVFB_RUN = '/usr/bin/xvfb-run'
const DRIVER_START_TIMEOUT = 15_000

export function requireWebKit (): void {
  const install = 'Install Debian\'s build: apt-get install -y webkit2gtk-driver xvfb'
  for (const path of [WEBKIT_DRIVER, MINIBROWSER, XVFB_RUN]) {
    if (!existsSync(path)) throw new Error(`${path} not found. ${install}`)
  }
}

export interface WebKitDriver {
  port: number
  stop: () => Promise<void>
}

async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => { typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port')) })
    }).on('error', reject)
  })
}

/** Start `xvfb-run -a WebKitWebDriver` and wait until it answers `/status`. */
export async function startWebKitDriver (): Promise<WebKitDriver> {
  requireWebKit()
  const port = await freePort()
  // Its own process group: stopping it ends Xvfb and the driver, by this group's id only.
  const child: ChildProcess = spawn(XVFB_RUN, ['-a', WEBKIT_DRIVER, `--port=${port}`], { stdio: ['ignore', 'ignore', 'pipe'], detached: true })
  const log: string[] = []
  child.stderr!.on('data', (d: Buffer) => { log.push(d.toString()) })
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return
    const exited = new Promise<void>(resolve => child.once('exit', () => { resolve() }))
    try { process.kill(-child.pid, 'SIGTERM') } catch {}
    const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL') } catch {} }, 3000)
    await exited
    clearTimeout(timer)
  }
  const deadline = Date.now() + DRIVER_START_TIMEOUT
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/status`)
      if (res.ok) return { port, stop }
    } catch {}
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop()
      throw new Error(`WebKitWebDriver did not start in ${DRIVER_START_TIMEOUT} ms:\n${log.join('')}`)
    }
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

export type WebKitTab = EngineTab & { close: () => Promise<void> }

/** A new MiniBrowser session (blank: `goto` it somewhere). */
export async function openWebKitTab (driver: WebKitDriver): Promise<WebKitTab> {
  const browser = await remote({
    hostname: '127.0.0.1',
    port: driver.port,
    logLevel: 'warn',
    connectionRetryTimeout: 60_000,
    capabilities: {
      browserName: 'MiniBrowser',
      // WebKitWebDriver speaks WebDriver classic only (no BiDi `webSocketUrl`).
      'wdio:enforceWebDriverClassic': true,
      'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] }
    } as WebdriverIO.Capabilities
  })
  const tab: WebKitTab = {
    engine: 'webkit',
    // WebDriver's Execute Script awaits a returned promise.
    evaluate: async <T>(expression: string): Promise<T> => await browser.execute(`return (async () => (${expression}))()`) as T,
    setFile: async (testId, path) => {
      // WebKitWebDriver sends keys only to an interactable element, and the app's
      // file input is visually hidden behind its label: show it for the moment.
      const show = `const el = document.querySelector('${byTestId(testId)}'); el.dataset.class = el.className; el.className = ''; el.dataset.style = el.getAttribute('style') ?? ''; el.setAttribute('style', 'position:fixed;left:0;top:0;width:20em;height:3em;opacity:1;z-index:2147483647')`
      await browser.execute(show)
      try {
        await browser.$(byTestId(testId)).setValue(path)
      } finally {
        await browser.execute(`const el = document.querySelector('${byTestId(testId)}'); el.setAttribute('style', el.dataset.style ?? ''); el.className = el.dataset.class ?? ''; delete el.dataset.style; delete el.dataset.class`)
      }
    },
    click: async testId => { await browser.$(byTestId(testId)).click() },
    goto: async to => { await browser.url(to) },
    close: async () => { await browser.deleteSession().catch(() => {}) }
  }
  return tab
}
