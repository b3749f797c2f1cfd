// Bench section: the browser side, in Debian's Chromium inside a loopback-only
// network namespace (like the e2e run). Each Cairn figure is measured against
// its raw baseline between the same pages in the same run:
//
// - tab → tab: 256 MiB of blocks fetched by one tab's MeshNode from another's
//   over WebRTC (signaled through a --no-store host, 8 requests in flight as
//   a file read does), vs a bare RTCDataChannel between the same two pages.
// - tab → host: 256 MiB of blocks put by a tab's MeshNode on a storing host
//   over its WebSocket, vs a bare browser WebSocket to a sink that discards.
// - host → tab: a 256 MiB file put by `cairn put` on a storing host, downloaded
//   in the app served by that host, through its service worker (fetch, hash
//   verify, decrypt: what a user's download does), vs a bare browser WebSocket
//   receiving the same number of bytes from a source that sends them.
//
// Prints progress on stderr and one JSON line on stdout. Target: each Cairn
// figure >= 60% of its raw one.
//
//   npm run build && node bench/browser.mjs [--size 256MiB]
import { spawn, spawnSync } from 'node:child_process'
import { createReadStream, existsSync } from 'node:fs'
import { mkdtemp, open, rm, stat } from 'node:fs/promises'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { extname, join, normalize } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { NODE_FLAGS } from '@cairn/node-host'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const CLI = join(ROOT, 'packages/node-host/dist/cli/main.js')
const CHROMIUM = process.env.CAIRN_CHROMIUM ?? '/usr/bin/chromium'
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--allow-loopback-in-peer-connection']
const MiB = 1024 * 1024
const BLOCK = 64 * (16384 + 16)
const TARGET = 0.6
const ROUNDS = 2
const log = (text) => process.stderr.write(`browser: ${text}\n`)

function fail (message) {
  console.error(`browser bench: ${message}`)
  process.exit(1)
}

function sizeArg (argv) {
  const i = argv.indexOf('--size')
  const text = i === -1 ? '256MiB' : argv[i + 1] ?? ''
  const m = /^(\d+)\s*(MiB|GiB)?$/i.exec(text)
  if (m === null) fail(`--size: expected e.g. 256MiB; got '${text}'`)
  return Number(m[1]) * ((m[2] ?? 'MiB').toLowerCase() === 'gib' ? 1024 * MiB : MiB)
}

/** Same isolation as the e2e run: a network namespace with loopback only. */
function ensureNamespace () {
  if (process.env.CAIRN_BENCH_NETNS === '1') return
  const flags = process.getuid?.() === 0 ? ['-n'] : ['-r', '-n']
  const r = spawnSync('unshare', [...flags, 'sh', '-c', 'ip link set lo up && exec "$0" "$@"', process.execPath, ...process.argv.slice(1)], {
    stdio: 'inherit', env: { ...process.env, CAIRN_BENCH_NETNS: '1' }
  })
  if (r.error !== undefined) fail(`cannot run unshare (util-linux) and ip (iproute2): ${r.error.message}`)
  process.exit(r.status ?? 1)
}

function serveStatic (dir) {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' }
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname))
    const file = join(dir, path)
    if (!file.startsWith(dir)) return res.writeHead(403).end()
    stat(file).then((info) => {
      res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream', 'content-length': info.size })
      createReadStream(file).pipe(res)
    }, () => res.writeHead(404).end())
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

/** A WebSocket sink: counts bytes and answers one message once `total` (from the URL) arrived. */
async function startSink () {
  const { WebSocketServer } = await import('ws')
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 2 * MiB })
  wss.on('connection', (ws, req) => {
    const total = Number(new URL(req.url, 'http://x').searchParams.get('total'))
    let got = 0
    ws.on('message', (data) => {
      got += data.length
      if (got >= total) ws.send('done')
    })
  })
  await new Promise((resolve) => wss.once('listening', resolve))
  return wss
}

/** A WebSocket source: sends `total` bytes (from the URL) in 1 MiB messages as fast as the socket drains. */
async function startSource () {
  const { WebSocketServer } = await import('ws')
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false })
  const chunk = Buffer.alloc(MiB, 7)
  wss.on('connection', (ws, req) => {
    const total = Number(new URL(req.url, 'http://x').searchParams.get('total'))
    let sent = 0
    const pump = () => {
      while (sent < total && ws.bufferedAmount < 4 * MiB) {
        const n = Math.min(MiB, total - sent)
        ws.send(n === MiB ? chunk : chunk.subarray(0, n))
        sent += n
      }
      if (sent < total) setTimeout(pump, 1)
    }
    pump()
  })
  await new Promise((resolve) => wss.once('listening', resolve))
  return wss
}

const children = new Set()
async function startHost (dataDir, extra) {
  const child = spawn(process.execPath, [...NODE_FLAGS, CLI, 'host', '--port', '0', '--json', '--data', dataDir, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(child)
  let err = ''
  child.stderr.on('data', (d) => { err += d })
  const line = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`host exited with ${code}: ${err}`)))
    createInterface({ input: child.stdout }).on('line', (l) => { if (l.includes('"listening"')) resolve(l) })
  })
  const { url, port } = JSON.parse(line)
  return { url, token: new URL(url).hash.replace(/^#join=/, ''), ws: `ws://127.0.0.1:${port}/mesh` }
}

async function openPage (browser, url) {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'] })
  const page = await context.newPage()
  page.on('pageerror', (e) => log(`page error: ${e.message}`))
  return page
}

const rate = (bytes, ms) => Number((bytes / MiB / (ms / 1000)).toFixed(1))

async function tabToTab (browser, pagesUrl, host, size) {
  const count = Math.ceil(size / BLOCK)
  const bytes = count * BLOCK
  const [a, b] = [await openPage(browser), await openPage(browser)]
  const relay = (to) => async (kind, data) => { await to.evaluate((d) => window.cairnMesh.rawSignal(d), data) }
  await a.exposeFunction('cairnRelay', relay(b))
  await b.exposeFunction('cairnRelay', relay(a))
  await Promise.all([a.goto(`${pagesUrl}/test-pages/mesh.html`), b.goto(`${pagesUrl}/test-pages/mesh.html`)])
  await Promise.all([a, b].map((p) => p.waitForFunction(() => window.cairnMesh !== undefined)))
  await a.evaluate(([u, t]) => window.cairnMesh.start(u, t, true), [host.ws, host.token])
  await b.evaluate(([u, t]) => window.cairnMesh.start(u, t, false), [host.ws, host.token])
  await b.waitForFunction(() => (window.cairnMesh.transports().webrtc ?? 0) >= 1, null, { timeout: 30_000 })
  log(`tab→tab: WebRTC link up; making ${count} blocks in tab A`)
  const ids = await a.evaluate(([n, s]) => window.cairnMesh.hold(n, s), [count, BLOCK])
  await b.evaluate(() => { window.cairnMesh.rawOpen(false) })
  await a.evaluate(() => { window.cairnMesh.rawOpen(true) })
  await Promise.all([a, b].map((p) => p.evaluate(() => window.cairnMesh.rawConnected())))
  const raw = []
  const cairn = []
  for (let round = 0; round < ROUNDS; round++) {
    const [got] = await Promise.all([
      b.evaluate((n) => window.cairnMesh.rawReceive(n), bytes),
      a.evaluate((n) => window.cairnMesh.rawSend(n), bytes)
    ])
    raw.push(rate(bytes, got.ms))
    // Fresh blocks each round: tab B keeps no store, so nothing is cached.
    const fetched = await b.evaluate(([list]) => window.cairnMesh.fetchAll(list, 8), [ids])
    if (fetched.bytes !== bytes) throw new Error(`fetched ${fetched.bytes} of ${bytes} bytes`)
    cairn.push(rate(bytes, fetched.ms))
    log(`tab→tab round ${round + 1}: raw RTCDataChannel ${raw.at(-1)} MiB/s, Cairn mesh over WebRTC ${cairn.at(-1)} MiB/s`)
  }
  const viaRtc = await b.evaluate(() => window.cairnMesh.bytesByTransport().webrtc ?? 0)
  if (viaRtc < bytes * ROUNDS) throw new Error(`only ${viaRtc} bytes came over WebRTC`)
  await Promise.all([a.context().close(), b.context().close()])
  return { raw: Math.max(...raw), cairn: Math.max(...cairn) }
}

async function tabToHost (browser, pagesUrl, host, sinkPort, size) {
  const count = Math.ceil(size / BLOCK)
  const bytes = count * BLOCK
  const page = await openPage(browser)
  await page.goto(`${pagesUrl}/test-pages/mesh.html`)
  await page.waitForFunction(() => window.cairnMesh !== undefined)
  await page.evaluate(([u, t]) => window.cairnMesh.start(u, t, false), [host.ws, host.token])
  const raw = []
  const cairn = []
  for (let round = 0; round < ROUNDS; round++) {
    const sink = `ws://127.0.0.1:${sinkPort}/?total=${bytes}`
    const r = await page.evaluate(([u, n, f]) => window.cairnMesh.rawWebSocket(u, n, f), [sink, bytes, BLOCK])
    raw.push(rate(bytes, r.ms))
    const put = await page.evaluate(([n, s]) => window.cairnMesh.putAll(n, s, 8), [count, BLOCK])
    if (put.copies < 1) throw new Error('a put reached no host')
    cairn.push(rate(bytes, put.ms))
    log(`tab→host round ${round + 1}: raw WebSocket ${raw.at(-1)} MiB/s, Cairn putBlock ${cairn.at(-1)} MiB/s`)
  }
  await page.context().close()
  return { raw: Math.max(...raw), cairn: Math.max(...cairn) }
}

/** `size` pseudo-random bytes (not compressible, not crypto) written to `path`. */
async function writeFile (path, size) {
  const file = await open(path, 'w')
  const chunk = Buffer.alloc(MiB)
  let x = 0x9e3779b9
  try {
    for (let written = 0; written < size; written += chunk.length) {
      for (let i = 0; i < chunk.length; i += 4) {
        x ^= x << 13; x ^= x >>> 17; x ^= x << 5
        chunk.writeInt32LE(x | 0, i)
      }
      await file.write(chunk, 0, Math.min(chunk.length, size - written))
    }
  } finally {
    await file.close()
  }
}

function cli (args) {
  const run = spawnSync(process.execPath, [...NODE_FLAGS, CLI, ...args], { encoding: 'utf8', maxBuffer: 16 * MiB })
  if (run.status !== 0) throw new Error(`cairn ${args[0]} exited with ${run.status}: ${run.stderr}`)
  return run.stdout
}

async function hostToTab (browser, pagesUrl, host, sourcePort, size, work) {
  const input = join(work, 'down.bin')
  await writeFile(input, size)
  const put = JSON.parse(cli(['put', input, '--mesh', host.url, '--json']).trim().split('\n').at(-1))
  await rm(input)
  const link = put.link.startsWith('http') ? put.link : `${host.url}&file=${put.link}`
  // The raw baseline runs in a test page (the app's CSP allows its own host only).
  const rawPage = await openPage(browser)
  await rawPage.goto(`${pagesUrl}/test-pages/mesh.html`)
  const app = await openPage(browser)
  await app.goto(link)
  const href = await app.locator('[data-testid=download]').getAttribute('href', { timeout: 60_000 })
  const raw = []
  const cairn = []
  for (let round = 0; round < ROUNDS; round++) {
    const r = await rawPage.evaluate(([url, total]) => new Promise((resolve, reject) => {
      const ws = new WebSocket(url)
      ws.binaryType = 'arraybuffer'
      let got = 0
      let started = 0
      ws.onopen = () => { started = performance.now() }
      ws.onmessage = (event) => {
        got += event.data.byteLength
        if (got >= total) { resolve({ ms: performance.now() - started, bytes: got }); ws.close() }
      }
      ws.onerror = () => reject(new Error('raw download socket failed'))
    }), [`ws://127.0.0.1:${sourcePort}/?total=${size}`, size])
    raw.push(rate(r.bytes, r.ms))
    const d = await app.evaluate(async (url) => {
      const started = performance.now()
      const res = await fetch(url)
      if (!res.ok) throw new Error(`download answered ${res.status}`)
      const reader = res.body.getReader()
      let bytes = 0
      for (let next = await reader.read(); !next.done; next = await reader.read()) bytes += next.value.byteLength
      return { ms: performance.now() - started, bytes }
    }, href)
    if (d.bytes !== size) throw new Error(`downloaded ${d.bytes} of ${size} bytes`)
    cairn.push(rate(size, d.ms))
    log(`host→tab round ${round + 1}: raw WebSocket ${raw.at(-1)} MiB/s, Cairn download through the service worker ${cairn.at(-1)} MiB/s`)
  }
  await Promise.all([rawPage.context().close(), app.context().close()])
  return { raw: Math.max(...raw), cairn: Math.max(...cairn) }
}

async function main () {
  if (!existsSync(CHROMIUM)) fail(`Chromium not found at ${CHROMIUM}; install it: apt-get install -y chromium`)
  if (!existsSync(CLI)) fail('packages/node-host/dist is missing; run `npm run build` first')
  ensureNamespace()
  const size = sizeArg(process.argv.slice(2))
  const build = spawnSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--mode', 'test', '--logLevel', 'warn'], { cwd: ROOT, stdio: ['ignore', 2, 2] })
  if (build.status !== 0) fail('building the test pages failed')
  const work = await mkdtemp(join(tmpdir(), 'cairn-bench-browser-'))
  const pages = await serveStatic(join(ROOT, 'packages/web/dist-test'))
  const sink = await startSink()
  const source = await startSource()
  const { chromium } = await import('@playwright/test')
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS })
  try {
    const pagesUrl = `http://127.0.0.1:${pages.address().port}`
    // The tabs are pages of the test-page server: another origin, which the hosts must allow.
    const relayHost = await startHost(join(work, 'relay'), ['--no-store', '--allow-origin', pagesUrl])
    const storeHost = await startHost(join(work, 'store'), ['--replicas', '1', '--allow-origin', pagesUrl])
    const t2t = await tabToTab(browser, pagesUrl, relayHost, size)
    const t2h = await tabToHost(browser, pagesUrl, storeHost, sink.address().port, size)
    const h2t = await hostToTab(browser, pagesUrl, storeHost, source.address().port, size, work)
    const ratio = (x) => Number((x.cairn / x.raw).toFixed(2))
    console.log(JSON.stringify({
      section: 'browser',
      sizeMiB: Math.round(size / MiB),
      tabToTab: { rawRtcDataChannelMiBps: t2t.raw, cairnMiBps: t2t.cairn, ratio: ratio(t2t) },
      tabToHost: { rawWebSocketMiBps: t2h.raw, cairnMiBps: t2h.cairn, ratio: ratio(t2h) },
      hostToTab: { rawWebSocketMiBps: h2t.raw, cairnMiBps: h2t.cairn, ratio: ratio(h2t) },
      pass: { tabToTab: ratio(t2t) >= TARGET, tabToHost: ratio(t2h) >= TARGET, hostToTab: ratio(h2t) >= TARGET },
      summary: [
        { target: 'host → tab download (Chromium)', unit: 'MiB/s', cairn: h2t.cairn, baseline: h2t.raw, against: 'raw browser WebSocket', goal: TARGET, pass: 'hostToTab' },
        { target: 'tab → tab (WebRTC)', unit: 'MiB/s', cairn: t2t.cairn, baseline: t2t.raw, against: 'raw RTCDataChannel', goal: TARGET, pass: 'tabToTab' },
        { target: 'tab → host', unit: 'MiB/s', cairn: t2h.cairn, baseline: t2h.raw, against: 'raw browser WebSocket', goal: TARGET, pass: 'tabToHost' }
      ],
      notes: [
        `best of ${ROUNDS} rounds each, raw and Cairn alternating on the same pages; target >= ${TARGET * 100}% of raw`,
        'tab→tab: MeshNode getBlock (8 in flight, hash-verified) over WebRTC vs a bare RTCDataChannel (64 KiB messages, 4 MiB buffered)',
        'tab→host: MeshNode putBlock (8 in flight, R=1, durable on disk) vs a bare WebSocket to a discarding sink',
        'host→tab: a file put with the CLI, downloaded in the app through its service worker (fetch, verify, decrypt) vs a bare WebSocket from a source sending as fast as it drains'
      ]
    }))
  } finally {
    await browser.close()
    for (const child of children) child.kill('SIGKILL')
    sink.close()
    source.close()
    pages.close()
    await rm(work, { recursive: true, force: true })
  }
}

await main()
