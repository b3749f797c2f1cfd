/**
 * Fixtures for the e2e specs. Everything a test starts it also ends, even on
 * failure: host processes are killed by PID, temp dirs removed, browser
 * contexts closed.
 *
 * - `pages`: the test pages (compliance cases, WebRTC harness) on a static server.
 * - `startHost()`: a real `cairn host` from the built CLI, on port 0.
 * - `openTab()`: a fresh browser context (own IndexedDB, own identity) and page.
 * - `cli()`: run a `cairn` command and collect its output.
 * - `tmp`: a temp dir for files the test writes.
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test as base, expect } from '@playwright/test'
import type { BrowserContext, Page } from '@playwright/test'
import { CLI, HostGroup, stopProcess, type HostProcess } from '../../packages/node-host/test/support/host-process.js'
import { CONTEXT_OPTIONS } from './browser.js'
import { serveStatic } from './static-server.js'
import type { StaticServer } from './static-server.js'

export { CLI }
export const ROOT = join(import.meta.dirname, '..', '..')
const HOST_START_TIMEOUT = 15_000
/** How long a host may take to shut down on SIGTERM before it is SIGKILLed, in ms. */
const STOP_GRACE_MS = 3000

/** A host from the shared launcher (`packages/node-host/test/support/host-process.ts`). */
export interface Host extends HostProcess {
  /** Lines the host printed on stderr (for failure messages). */
  readonly log: string[]
}

export interface HostOptions {
  noStore?: boolean
  /** Peer URLs or ws:// addresses of hosts to dial. */
  peers?: string[]
  extraArgs?: string[]
  /** Added to the host's environment (e.g. NODE_EXTRA_CA_CERTS). */
  env?: NodeJS.ProcessEnv
}

export interface CliResult { code: number | null, stdout: string, stderr: string }

interface Fixtures {
  startHost: (options?: HostOptions) => Promise<Host>
  /** `initScript` runs in the page before its own scripts (e.g. to remove an API). */
  openTab: (url: string, options?: { initScript?: string }) => Promise<Page>
  cli: (args: string[], options?: { timeout?: number }) => Promise<CliResult>
  tmp: string
}

interface WorkerFixtures {
  pages: StaticServer
}

function requireBuilt (path: string): void {
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build\` first`)
}

/** Start `cairn host --json` on loopback in a fresh temp dir and wait for its `listening` line. */
async function launchHost (group: HostGroup, options: HostOptions): Promise<Host> {
  const args = ['--listen', '127.0.0.1']
  if (options.noStore === true) args.push('--no-store')
  for (const peer of options.peers ?? []) args.push('--peer', peer)
  args.push(...(options.extraArgs ?? []))
  const host = await group.start({ args, cwd: ROOT, env: options.env, timeout: HOST_START_TIMEOUT })
  return Object.defineProperty(host, 'log', { get: () => host.stderr().split('\n').filter(line => line !== '') }) as Host
}

const webSockets = new WeakMap<Page, string[]>()
const pageErrors = new WeakMap<Page, string[]>()

/** URLs of the WebSockets a tab opened (from its first navigation on). */
export function webSocketsOf (page: Page): string[] {
  return webSockets.get(page) ?? []
}

/** Uncaught errors in a tab's page (from its first navigation on). */
export function pageErrorsOf (page: Page): string[] {
  return pageErrors.get(page) ?? []
}

export const test = base.extend<Fixtures, WorkerFixtures>({
  pages: [async ({}, use) => {
    const dir = join(ROOT, 'packages/web/dist-test')
    requireBuilt(join(dir, 'test-pages/compliance.html'))
    const server = await serveStatic(dir)
    await use(server)
    await server.close()
  }, { scope: 'worker' }],

  tmp: async ({}, use) => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-e2e-'))
    try {
      await use(dir)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  },

  startHost: async ({}, use) => {
    const group = new HostGroup()
    try {
      await use(async (options = {}) => await launchHost(group, options))
    } finally {
      await group.stop({ graceMs: STOP_GRACE_MS })
    }
  },

  openTab: async ({ browser }, use) => {
    const contexts: BrowserContext[] = []
    // Tabs run under the host's Content-Security-Policy: any violation fails the test.
    const violations: string[] = []
    const checkCsp = (who: string, text: string): void => { if (text.includes('Content Security Policy')) violations.push(`[${who}] ${text}`) }
    try {
      await use(async (url: string, options = {}) => {
        const context = await browser.newContext(CONTEXT_OPTIONS)
        contexts.push(context)
        if (options.initScript !== undefined) await context.addInitScript(options.initScript)
        const page = await context.newPage()
        const name = `tab ${contexts.length}`
        const errors: string[] = []
        pageErrors.set(page, errors)
        page.on('pageerror', err => { errors.push(err.message); console.error(`[${name}] page error: ${err.message}`) })
        page.on('console', msg => {
          if (msg.type() === 'error' || msg.type() === 'warning') console.error(`[${name}] console.${msg.type()}: ${msg.text()}`)
          checkCsp(name, msg.text())
        })
        const sockets: string[] = []
        webSockets.set(page, sockets)
        page.on('websocket', ws => { sockets.push(ws.url()) })
        context.on('serviceworker', worker => {
          worker.on('console', msg => {
            if (msg.type() === 'error') console.error(`[${name} sw] ${msg.text()}`)
            checkCsp(`${name} sw`, msg.text())
          })
        })
        await page.goto(url)
        return page
      })
    } finally {
      await Promise.all(contexts.map(async c => c.close()))
    }
    expect(violations, 'Content-Security-Policy violations').toEqual([])
  },

  cli: async ({}, use) => {
    const children: ChildProcess[] = []
    try {
      await use(async (args, options = {}) => {
        requireBuilt(CLI)
        const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
        children.push(child)
        let stdout = ''
        let stderr = ''
        child.stdout!.on('data', (d: Buffer) => { stdout += d.toString() })
        child.stderr!.on('data', (d: Buffer) => { stderr += d.toString() })
        const timeout = options.timeout ?? 60_000
        const code = await new Promise<number | null>((resolve, reject) => {
          const timer = setTimeout(() => { reject(new Error(`cairn ${args.join(' ')} took over ${timeout} ms:\n${stderr}`)) }, timeout)
          child.once('exit', c => { clearTimeout(timer); resolve(c) })
        })
        return { code, stdout, stderr }
      })
    } finally {
      await Promise.all(children.map(async child => { await stopProcess(child, { graceMs: STOP_GRACE_MS }) }))
    }
  }
})

export { expect }
