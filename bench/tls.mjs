// Bench section: what TLS costs. Two `cairn host` processes on loopback, one
// plain (ws://) and one with a test certificate (wss://, ECDSA P-256 made by
// openssl now), R=1 each. Measures a client's connect time (TCP + TLS +
// WebSocket upgrade + mesh handshake, in one process, median of many), then
// `cairn put` and `cairn get` of the same file through each. Prints one JSON
// line on stdout; progress goes to stderr.
//
//   npm run build && node bench/run.mjs --only tls [--size 1GiB]
//
// Target: get over wss >= 80% of get over ws; handshake within 20 ms of ws.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, open, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { leafCert, testCa } from '../packages/node-host/test/support/test-certs.mjs'

const MiB = 1024 * 1024
const CLI = fileURLToPath(new URL('../packages/node-host/dist/cli/main.js', import.meta.url))
const CLIENT = fileURLToPath(new URL('../packages/node-host/dist/cli/client.js', import.meta.url))
const TARGETS = { getRatio: 0.8, handshakeExtraMs: 20 }
const CONNECTS = 40

const log = (text) => process.stderr.write(`tls: ${text}\n`)

function sizeArg (argv) {
  const i = argv.indexOf('--size')
  const text = i === -1 ? '1GiB' : argv[i + 1] ?? ''
  const m = /^(\d+)\s*(MiB|GiB)?$/i.exec(text)
  if (m === null) throw new Error(`--size: expected e.g. 256MiB, 1GiB; got '${text}'`)
  return Number(m[1]) * ((m[2] ?? 'MiB').toLowerCase() === 'gib' ? 1024 * MiB : MiB)
}

/** Spawn `node args…` with `env` added; collects stderr, resolves `exited`. */
function spawnNode (args, env, children) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } })
  children.add(child)
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', t => { stderr += t })
  child.exited = new Promise(resolve => child.once('exit', code => { children.delete(child); resolve(code) }))
  child.stderrText = () => stderr
  return child
}

async function firstLine (child) {
  const lines = createInterface({ input: child.stdout })
  const line = await Promise.race([
    new Promise(resolve => lines.once('line', resolve)),
    child.exited.then(code => { throw new Error(`exited ${code}: ${child.stderrText()}`) })
  ])
  lines.close()
  child.stdout.resume()
  return line
}

/** Run to completion; resolves with stdout and wall milliseconds. */
async function timed (args, env, children) {
  const started = performance.now()
  const child = spawnNode(args, env, children)
  let out = ''
  child.stdout.setEncoding('utf8').on('data', t => { out += t })
  const code = await child.exited
  if (code !== 0) throw new Error(`${args.slice(1, 3).join(' ')} exited ${code}: ${child.stderrText()}`)
  return { out, ms: performance.now() - started }
}

/** In a child (so NODE_EXTRA_CA_CERTS applies from its start): connect times in ms to `url`, `count` times. */
async function connectTimes (url, count) {
  const { connectClient } = await import(CLIENT)
  const { parseJoinUrl } = await import(fileURLToPath(new URL('../packages/node-host/dist/config/index.js', import.meta.url)))
  const target = parseJoinUrl(url)
  const times = []
  for (let i = 0; i < count + 1; i++) {
    const started = performance.now()
    const client = await connectClient(target)
    const ms = performance.now() - started
    await client.close()
    if (i > 0) times.push(ms) // the first one warms up the JIT
  }
  return times.sort((a, b) => a - b)
}

async function writeSource (path, size) {
  const chunk = randomBytes(16 * MiB)
  const handle = await open(path, 'w')
  for (let done = 0; done < size; done += chunk.length) {
    chunk[done % chunk.length] ^= 1
    await handle.write(chunk, 0, Math.min(chunk.length, size - done))
  }
  await handle.close()
}

async function main () {
  const size = sizeArg(process.argv.slice(2))
  const work = await mkdtemp(join(tmpdir(), 'cairn-bench-tls-'))
  const children = new Set()
  try {
    const ca = testCa(work)
    const cert = leafCert(work, ca, { name: 'host', names: ['127.0.0.1'] })
    const trust = { NODE_EXTRA_CA_CERTS: ca.cert }
    const hosts = {}
    for (const [name, extra] of [['ws', []], ['wss', ['--tls-cert', cert.cert, '--tls-key', cert.key]]]) {
      const child = spawnNode([CLI, 'host', '--port', '0', '--json', '--replicas', '1', '--data', join(work, name), ...extra], trust, children)
      hosts[name] = { ...JSON.parse(await firstLine(child)), child }
    }
    log(`connecting ${CONNECTS} clients to each host`)
    const handshake = {}
    for (const name of ['ws', 'wss']) {
      const { out } = await timed([fileURLToPath(import.meta.url), '--connect', hosts[name].url, String(CONNECTS)], trust, children)
      const times = JSON.parse(out)
      handshake[name] = { medianMs: +times[times.length >> 1].toFixed(1), p90Ms: +times[Math.floor(times.length * 0.9)].toFixed(1) }
    }
    log(`writing a ${size / MiB} MiB source file`)
    const source = join(work, 'source.bin')
    await writeSource(source, size)
    const rate = (ms) => Math.round(size / MiB / (ms / 1000))
    const mibPerSec = { put: {}, get: {} }
    for (const name of ['ws', 'wss']) {
      log(`put over ${name}`)
      const put = await timed([CLI, 'put', source, '--mesh', hosts[name].url, '--json'], trust, children)
      mibPerSec.put[name] = rate(put.ms)
      log(`get over ${name}`)
      const get = await timed([CLI, 'get', JSON.parse(put.out).link, '--mesh', hosts[name].url, '-o', '/dev/null', '--json'], trust, children)
      if (JSON.parse(get.out).size !== size) throw new Error(`get returned ${get.out}`)
      mibPerSec.get[name] = rate(get.ms)
      log(`${name}: put ${mibPerSec.put[name]} MiB/s, get ${mibPerSec.get[name]} MiB/s`)
    }
    const getRatio = +(mibPerSec.get.wss / mibPerSec.get.ws).toFixed(3)
    console.log(JSON.stringify({
      section: 'tls',
      sizeMiB: size / MiB,
      handshake,
      mibPerSec,
      getRatio,
      targets: TARGETS,
      notes: [
        `handshake: one client connect (TCP, TLS for wss, WebSocket upgrade, mesh hello/auth/peers), ${CONNECTS} in a row after one warm-up`,
        'put/get: wall time of the whole client process (start, connect, transfer, exit), same bytes, ws first',
        'certificate: ECDSA P-256 signed by a test CA, trusted through NODE_EXTRA_CA_CERTS'
      ],
      pass: {
        get: getRatio >= TARGETS.getRatio,
        handshake: handshake.wss.medianMs - handshake.ws.medianMs <= TARGETS.handshakeExtraMs
      }
    }))
  } finally {
    for (const child of children) child.kill('SIGKILL')
    await rm(work, { recursive: true, force: true })
  }
}

if (process.argv[2] === '--connect') {
  console.log(JSON.stringify(await connectTimes(process.argv[3], Number(process.argv[4]))))
} else {
  await main()
}
