import { createHash } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { PLACEHOLDER_HTML, resolveUnder, staticHandler } from '../src/http/index.js'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function serveDir (files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'cairn-http-'))
  cleanups.push(async () => { await rm(root, { recursive: true, force: true }) })
  for (const [name, body] of Object.entries(files)) {
    await mkdir(join(root, name, '..'), { recursive: true })
    await writeFile(join(root, name), body)
  }
  const server: Server = createServer(staticHandler(join(root, 'dist')))
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(async () => { await new Promise<void>(resolve => server.close(() => resolve())) })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

describe('static web app server', () => {
  it('serves index.html, assets and sw.js with types and cache headers', async () => {
    const base = await serveDir({
      'dist/index.html': '<!doctype html><title>app</title>',
      'dist/assets/index-abc123.js': 'console.log(1)',
      'dist/sw.js': 'self.x = 1'
    })
    const index = await fetch(`${base}/`)
    expect(index.status).toBe(200)
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(index.headers.get('cache-control')).toBe('no-cache')
    expect(await index.text()).toContain('<title>app</title>')
    const asset = await fetch(`${base}/assets/index-abc123.js`)
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(asset.headers.get('cache-control')).toContain('immutable')
    expect(await asset.text()).toBe('console.log(1)')
    const sw = await fetch(`${base}/sw.js`)
    expect(sw.headers.get('cache-control')).toBe('no-cache')
    expect(sw.headers.get('x-content-type-options')).toBe('nosniff')
  })

  it('never serves files outside its root', async () => {
    const base = await serveDir({ 'dist/index.html': 'app', 'secret.txt': 'secret' })
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/%2e%2e%5csecret.txt', '/assets/../../secret.txt', '/%00']) {
      const res = await fetch(`${base}${path}`)
      expect(res.status, path).toBe(404)
      expect(await res.text()).not.toContain('secret')
    }
    expect(resolveUnder('/srv/app', '/..%2f..%2fetc/passwd')).toBeUndefined()
    expect(resolveUnder('/srv/app', '/a/b.js')).toBe('/srv/app/a/b.js')
  })

  it('serves a placeholder page when the app is not built, 404 otherwise, and only GET/HEAD', async () => {
    const base = await serveDir({})
    const page = await fetch(`${base}/`)
    expect(page.status).toBe(200)
    expect(await page.text()).toBe(PLACEHOLDER_HTML)
    expect((await fetch(`${base}/missing.js`)).status).toBe(404)
    expect((await fetch(`${base}/assets`)).status).toBe(404)
    const head = await fetch(`${base}/`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(Number(head.headers.get('content-length'))).toBe(Buffer.byteLength(PLACEHOLDER_HTML))
    const post = await fetch(`${base}/`, { method: 'POST', body: 'x' })
    expect(post.status).toBe(405)
    expect(post.headers.get('allow')).toBe('GET, HEAD')
    expect(await (await fetch(`${base}/healthz`)).text()).toBe('ok\n')
  })
})

describe('security headers', () => {
  it('gives the app page a strict CSP: own scripts only, no inline script, no framing', async () => {
    const base = await serveDir({ 'dist/index.html': '<!doctype html><title>app</title>', 'dist/sw.js': 'self.x = 1' })
    for (const path of ['/', '/index.html', '/sw.js']) {
      const res = await fetch(`${base}${path}`)
      const csp = res.headers.get('content-security-policy') ?? ''
      const directives = new Map(csp.split(';').map(d => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]))
      expect(directives.get('default-src'), path).toEqual(["'none'"])
      expect(directives.get('script-src'), path).toEqual(["'self'"])
      expect(directives.get('connect-src'), path).toEqual(["'self'"])
      expect(directives.get('frame-ancestors'), path).toEqual(["'none'"])
      expect(directives.get('base-uri'), path).toEqual(["'none'"])
      expect(csp, path).not.toMatch(/unsafe-|\*|https?:/)
      expect(res.headers.get('x-frame-options'), path).toBe('DENY')
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff')
    }
  })

  it('sandboxes everything else, and never serves source maps', async () => {
    const base = await serveDir({
      'dist/index.html': 'app',
      'dist/assets/index-abc123.js': 'console.log(1)\n//# sourceMappingURL=index-abc123.js.map',
      'dist/assets/index-abc123.js.map': '{"sources":["secret.ts"]}',
      'dist/sw.js.map': '{}'
    })
    for (const path of ['/assets/index-abc123.js.map', '/assets/index-abc123.js%2emap', '/assets/index-abc123.js.MAP', '/sw.js.map']) {
      const res = await fetch(`${base}${path}`)
      expect(res.status, path).toBe(404)
      expect(await res.text(), path).not.toContain('secret')
    }
    for (const path of ['/assets/index-abc123.js', '/missing', '/healthz', '/media/abcdefghijklmnopqrst', '/download/abcdefghijklmnopqrst']) {
      const res = await fetch(`${base}${path}`)
      expect(res.headers.get('content-security-policy'), path).toMatch(/^sandbox; default-src 'none'(;|$)/)
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff')
      expect(res.headers.get('cross-origin-resource-policy'), path).toBe('same-origin')
    }
  })

  it('lets the placeholder page have its own inline style by hash, and no script', async () => {
    const base = await serveDir({})
    const res = await fetch(`${base}/`)
    const style = /<style>([\s\S]*?)<\/style>/.exec(PLACEHOLDER_HTML)![1]!
    const hash = createHash('sha256').update(style).digest('base64')
    const csp = res.headers.get('content-security-policy') ?? ''
    expect(csp).toContain(`style-src 'sha256-${hash}'`)
    expect(csp).toMatch(/default-src 'none'/)
    expect(csp).toMatch(/frame-ancestors 'none'/)
    expect(csp).not.toMatch(/script-src|unsafe-/)
  })
})

describe('web server sockets', () => {
  it('closes a socket that never finishes its request, and still serves others', async () => {
    const { openWebServer } = await import('../src/host/web-server.js')
    const { connect } = await import('node:net')
    const root = await mkdtemp(join(tmpdir(), 'cairn-http-'))
    cleanups.push(async () => { await rm(root, { recursive: true, force: true }) })
    const web = await openWebServer(root, 0, '127.0.0.1', { idleTimeout: 300 })
    cleanups.push(async () => { await web.close() })
    const silent = connect(web.port, '127.0.0.1')
    const half = connect(web.port, '127.0.0.1', () => { half.write('GET / HTTP/1.1\r\nHost: x\r\n') })
    const closed = (socket: typeof silent): Promise<void> => new Promise(resolve => socket.once('close', () => { resolve() }))
    const bothClosed = Promise.all([closed(silent), closed(half)])
    const outcome = await Promise.race([
      bothClosed.then(() => 'closed'),
      new Promise(resolve => AbortSignal.timeout(15_000).addEventListener('abort', () => { resolve('still open') }))
    ])
    expect(outcome).toBe('closed')
    const ok = await fetch(`http://127.0.0.1:${web.port}/healthz`)
    expect(ok.status).toBe(200)
  })
})
