#!/usr/bin/env node
/**
 * The e2e runner (`npm run e2e`). Runs the Playwright specs in Debian's
 * Chromium, Firefox ESR and WebKitGTK inside a private network namespace that
 * holds only loopback, so no WebRTC candidate or packet can leave 127.0.0.1.
 * Hosts, browsers and runner all live in it.
 *
 * Never skips: a missing browser, `xvfb-run`, `ip` or `unshare` is a failure
 * that says how to install it. Extra arguments go to `playwright test` (e.g. a spec file
 * or `--grep`).
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const CHROMIUM = process.env.CAIRN_CHROMIUM ?? '/usr/bin/chromium'
const FIREFOX = process.env.CAIRN_FIREFOX ?? '/usr/bin/firefox-esr'
const WEBKIT_DRIVER = process.env.CAIRN_WEBKIT_DRIVER ?? '/usr/bin/WebKitWebDriver'
const INSIDE = 'CAIRN_E2E_NETNS'

function fail (message) {
  console.error(`e2e: ${message}`)
  process.exit(1)
}

function has (command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0
}

function checkPrerequisites () {
  if (!existsSync(CHROMIUM)) {
    fail(`Chromium not found at ${CHROMIUM}. Install Debian's build: apt-get install -y chromium`)
  }
  if (!existsSync(FIREFOX)) fail(`Firefox not found at ${FIREFOX}. Install Debian's build: apt-get install -y firefox-esr`)
  if (!existsSync(WEBKIT_DRIVER)) fail(`WebKitWebDriver not found at ${WEBKIT_DRIVER}. Install Debian's build: apt-get install -y webkit2gtk-driver`)
  if (!has('xvfb-run')) fail('`xvfb-run` not found (WebKit\'s MiniBrowser needs a display). Install it: apt-get install -y xvfb')
  if (!has('ip')) fail('`ip` not found (needed to bring up loopback). Install it: apt-get install -y iproute2')
  if (!has('unshare')) fail('`unshare` not found (needed for the network namespace). Install it: apt-get install -y util-linux')
}

/**
 * Re-run this script in a new network namespace with loopback up, and a
 * private mount namespace (specs mount small disks that must not leak).
 */
function reexecInNamespace () {
  const asRoot = process.getuid?.() === 0
  const flags = asRoot ? ['-n', '-m', '--propagation', 'private'] : ['-r', '-n', '-m', '--propagation', 'private']
  const script = 'ip link set lo up && exec "$0" "$@"'
  const result = spawnSync('unshare', [...flags, 'sh', '-c', script, process.execPath, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, [INSIDE]: '1' }
  })
  if (result.error !== undefined) fail(`cannot run unshare: ${result.error.message}`)
  if (result.status === null) fail(`namespace run ended by signal ${result.signal}`)
  process.exit(result.status)
}

/** Inside the namespace: only `lo` may exist, and it must be up. */
function checkNamespace () {
  const links = spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' })
  if (links.status !== 0) fail(`ip link show failed: ${links.stderr}`)
  const names = links.stdout.trim().split('\n').map(line => line.split(':')[1]?.trim().split('@')[0])
  if (names.length !== 1 || names[0] !== 'lo') fail(`namespace is not loopback-only: ${names.join(', ')}`)
  console.log('e2e: running in a network namespace that holds only loopback')
}

function run (command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: process.env })
  if (result.error !== undefined) fail(`${command}: ${result.error.message}`)
  return result.status ?? 1
}

checkPrerequisites()
if (process.env[INSIDE] !== '1') reexecInNamespace()
checkNamespace()
// The pages that expose compliance cases to the harness (never shipped in dist).
if (run(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--mode', 'test', '--logLevel', 'warn']) !== 0) {
  fail('building the test pages failed')
}
const playwright = join(root, 'node_modules/@playwright/test/cli.js')
process.exit(run(process.execPath, [playwright, 'test', '--config', join(root, 'e2e/playwright.config.ts'), ...process.argv.slice(2)]))
