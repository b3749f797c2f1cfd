/**
 * The npm scripts of a fresh clone as a new user meets them: `npm ci` leaves
 * no install script unreviewed, and a second `npm start` is refused before it
 * rebuilds the web app under the host that is running.
 */
import { statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { Cluster } from './harness.js'

const REPO = fileURLToPath(new URL('../../../', import.meta.url))
const WEB_INDEX = fileURLToPath(new URL('../../web/dist/index.html', import.meta.url))

const cluster = new Cluster()
afterEach(async () => { await cluster.cleanup() })

describe('npm scripts on a fresh clone', () => {
  it('every dependency install script is declared in allowScripts (npm ci warns about none)', async () => {
    const listed = await cluster.run('npm', ['install-scripts', 'ls'], { cwd: REPO, timeout: 60_000 })
    expect(listed.code).toBe(0)
    expect(listed.stdout.toString()).toMatch(/^No packages with unreviewed install scripts\.$/m)
  })

  it('a second `npm start` on a data dir in use is refused before it rebuilds anything', async () => {
    const host = await cluster.startHost()
    const built = statSync(WEB_INDEX).mtimeMs
    const second = await cluster.run('npm', ['start', '--', '--data', host.data, '--port', '0'], { cwd: REPO, timeout: 120_000 })
    expect(second.code).toBe(2)
    expect(second.stderr).toMatch(new RegExp(`cairn: a host \\(pid ${host.pid}\\) is already running with data dir \\S+ \\(${host.origin}/`))
    expect(second.stdout.toString()).not.toMatch(/vite|tsc -b/)
    expect(statSync(WEB_INDEX).mtimeMs).toBe(built)
    // The running host is untouched.
    expect(host.child.exitCode).toBe(null)
    expect((await fetch(`${host.origin}/healthz`)).status).toBe(200)
  })
})
