// A full mesh of N real `cairn host` processes on 127.0.0.1 (issue 15, docs/scale.md):
// time to a full mesh, RSS per host, idle CPU per host over 30 s, connections per host, one
// 16 MiB put and a get through another host, and the time for repair to restore the copies
// after one host holding them is killed. Not part of npm test.
//
//   npm run build && npm run bench:mesh -- --hosts 100 [--idle 30] [--batch 8]
//
// Every process it starts is killed by PID and its temp dir removed, on success, failure,
// Ctrl-C or SIGTERM. Status is asked through the CLI's own client (dist/cli/client.js), in
// this process, a few hosts at a time; each ask connects a client (clients are left out of
// gossip, so an ask sends no peer list), and the mesh is polled sparingly and never during
// the idle window.
import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { NODE_FLAGS } from '@cairn/node-host'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const CLI = join(ROOT, 'packages/node-host/dist/cli/main.js')
const { connectClient, resolveTarget } = await import(join(ROOT, 'packages/node-host/dist/cli/client.js'))

const { values: opt } = parseArgs({
  options: {
    hosts: { type: 'string', default: '100' },
    idle: { type: 'string', default: '30' },
    batch: { type: 'string', default: '8' },
    size: { type: 'string', default: String(16 * 1024 * 1024) },
    'repair-timeout': { type: 'string', default: '600' }
  }
})
const N = Number(opt.hosts)
const IDLE_S = Number(opt.idle)
const BATCH = Number(opt.batch)
const SIZE = Number(opt.size)
const REPAIR_MAX_S = Number(opt['repair-timeout'])
if (!(N >= 4) || !(IDLE_S > 0) || !(BATCH >= 1) || !(SIZE > 0)) throw new Error('usage: --hosts N (>= 4) --idle SECONDS --batch K --size BYTES')

const TMP = mkdtempSync(join(tmpdir(), 'cairn-mesh-'))
/** @type {Map<number, import('node:child_process').ChildProcess>} */
const children = new Map()
let cleaned = false
function cleanup () {
  if (cleaned) return
  cleaned = true
  for (const [pid, child] of children) {
    if (child.exitCode === null && child.signalCode === null) {
      try { process.kill(pid, 'SIGKILL') } catch {}
    }
  }
  rmSync(TMP, { recursive: true, force: true })
}
process.on('exit', cleanup)
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => { cleanup(); process.exit(130) })

const t0 = performance.now()
const secs = (ms) => (ms / 1000).toFixed(1)
const log = (msg) => process.stderr.write(`[${secs(performance.now() - t0)} s] ${msg}\n`)
const sleep = (ms) => new Promise(resolve => setTimeout(resolve, ms))
const CLK_TCK = 100

function launch (i, peer) {
  const data = join(TMP, `h${i}`)
  const args = [...NODE_FLAGS, CLI, 'host', '--port', '0', '--json', '--data', data, '--name', `h${i}`, ...(peer ? ['--peer', peer] : [])]
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  children.set(child.pid, child)
  let stderr = ''
  child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000) })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`host ${i} did not listen in 120 s: ${stderr}`)), 120_000)
    child.once('exit', (code, signal) => { clearTimeout(timer); reject(new Error(`host ${i} exited (${code ?? signal}) before listening: ${stderr}`)) })
    createInterface({ input: child.stdout }).on('line', (line) => {
      let msg
      try { msg = JSON.parse(line) } catch { return }
      if (msg.event === 'listening') {
        clearTimeout(timer)
        resolve({ i, pid: child.pid, child, url: msg.url, peerUrl: msg.peerUrl, peerId: msg.peerId, data, stderr: () => stderr })
      }
    })
  })
}

async function status (host) {
  const client = await connectClient(await resolveTarget({ mesh: host.url }), { timeout: 60_000 })
  try {
    return await client.mesh.requestStatus(client.hostId, { signal: AbortSignal.timeout(60_000) })
  } finally {
    await client.close()
  }
}

async function statusAll (hosts, concurrency = 4) {
  const out = new Map()
  const queue = [...hosts]
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let h = queue.shift(); h !== undefined; h = queue.shift()) {
      try { out.set(h, await status(h)) } catch (err) { out.set(h, { error: String(err?.message ?? err) }) }
    }
  }))
  return out
}

const hostPeers = (s) => s.peers === undefined ? -1 : s.peers.filter(p => p.role === 'host').length

function procStat (pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const cpuTicks = Number(fields[11]) + Number(fields[12]) // utime + stime
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1])
  return { cpuTicks, rss: rssKb * 1024 }
}

const MiB = 1024 * 1024
function spread (values, unit = MiB, digits = 1) {
  const s = [...values].sort((a, b) => a - b)
  const f = (v) => (v / unit).toFixed(digits)
  return `min ${f(s[0])}, median ${f(s[Math.floor(s.length / 2)])}, max ${f(s[s.length - 1])}`
}

function run (args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...NODE_FLAGS, CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    children.set(child.pid, child)
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => { out += d })
    child.stderr.on('data', (d) => { err = (err + d).slice(-4000) })
    child.once('exit', (code) => code === 0 ? resolve(out) : reject(new Error(`cairn ${args[0]} exited ${code}: ${err}`)))
  })
}

async function sha256 (path) {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk)
  return hash.digest('hex')
}

const results = { hosts: N }
try {
  // 1. Start: the first host, then the rest in batches, each given the first's peer URL.
  const first = await launch(0, undefined)
  const hosts = [first]
  for (let i = 1; i < N; i += BATCH) {
    const batch = []
    for (let j = i; j < Math.min(N, i + BATCH); j++) batch.push(launch(j, first.peerUrl))
    hosts.push(...await Promise.all(batch))
    log(`${hosts.length} hosts listening`)
  }
  const allListening = performance.now()
  results.startSeconds = Number(secs(allListening - t0))

  // 2. Full mesh: every host connected to the N-1 others (polled sparingly).
  let pending = [...hosts]
  let lastStatus = new Map()
  for (;;) {
    const got = await statusAll(pending)
    for (const [h, s] of got) lastStatus.set(h, s)
    pending = pending.filter(h => !(hostPeers(lastStatus.get(h)) >= N - 1 && lastStatus.get(h).storingHosts >= N - 1))
    const counts = hosts.map(h => hostPeers(lastStatus.get(h)))
    log(`mesh: ${N - pending.length}/${N} hosts see all ${N - 1} others (host peers per host: min ${Math.min(...counts)}, max ${Math.max(...counts)})`)
    if (pending.length === 0) break
    if (performance.now() - allListening > 30 * 60_000) throw new Error(`no full mesh after 30 min: ${pending.length} hosts short`)
    await sleep(10_000)
  }
  const meshed = performance.now()
  results.fullMeshSeconds = { fromFirstSpawn: Number(secs(meshed - t0)), fromLastListening: Number(secs(meshed - allListening)) }
  results.storingHostsSeen = hosts[0] && lastStatus.get(hosts[0]).storingHosts

  // 3. Idle: RSS and CPU over IDLE_S seconds, no status asks meanwhile. Settle first so the
  //    last gossip rounds (and our status clients leaving) are over.
  await sleep(5_000)
  const before = hosts.map(h => procStat(h.pid))
  await sleep(IDLE_S * 1000)
  const after = hosts.map(h => procStat(h.pid))
  const cpu = after.map((a, k) => (a.cpuTicks - before[k].cpuTicks) / CLK_TCK)
  const rss = after.map(a => a.rss)
  results.idle = {
    seconds: IDLE_S,
    cpuSecondsPerHost: spread(cpu, 1, 2),
    cpuSecondsTotal: Number(cpu.reduce((x, y) => x + y, 0).toFixed(1)),
    rssPerHostMiB: spread(rss),
    rssTotalMiB: Math.round(rss.reduce((x, y) => x + y, 0) / MiB)
  }
  const conns = hosts.map(h => hostPeers(lastStatus.get(h)))
  results.hostConnectionsPerHost = spread(conns, 1, 0)
  log(`idle: ${JSON.stringify(results.idle)}`)

  // 4. One put of SIZE random bytes through host 0, a get through host N/2.
  const file = join(TMP, 'in.bin')
  writeFileSync(file, randomBytes(SIZE))
  let t = performance.now()
  const link = (await run(['put', file, '--mesh', first.url])).trim().split('\n').pop().trim()
  results.putSeconds = Number(secs(performance.now() - t))
  const via = hosts[Math.floor(N / 2)]
  const out = join(TMP, 'out.bin')
  t = performance.now()
  await run(['get', link, '--mesh', via.url, '-o', out])
  results.getSeconds = Number(secs(performance.now() - t))
  results.getByteIdentical = (await sha256(file)) === (await sha256(out))
  log(`put ${results.putSeconds} s, get via h${via.i} ${results.getSeconds} s, identical: ${results.getByteIdentical}`)

  // 5. Kill one host holding copies (not the put's or the get's host); time until the live
  //    hosts hold as many copies as before and none reports a block under R.
  const held = await statusAll(hosts)
  const copies = (m) => [...m.values()].reduce((sum, s) => sum + (s.blocks ?? 0), 0)
  const copiesBefore = copies(held)
  const holders = hosts.filter(h => (held.get(h).blocks ?? 0) > 0)
  const victim = holders.find(h => h !== first && h !== via)
  if (victim === undefined) throw new Error('no host other than the put/get hosts holds a copy')
  results.repair = { copiesBefore, holdersBefore: holders.length, victimBlocks: held.get(victim).blocks }
  log(`${copiesBefore} copies on ${holders.length} hosts; killing h${victim.i} (${held.get(victim).blocks} blocks)`)
  const killedAt = performance.now()
  process.kill(victim.pid, 'SIGKILL')
  await new Promise(resolve => victim.child.exitCode !== null || victim.child.signalCode !== null ? resolve() : victim.child.once('exit', resolve))
  const live = hosts.filter(h => h !== victim)
  for (;;) {
    await sleep(5_000)
    const now = await statusAll(live)
    const total = copies(now)
    const under = [...now.values()].reduce((sum, s) => sum + (s.underReplicated ?? 0), 0)
    const seen = live.filter(h => now.get(h).storingHosts !== undefined && now.get(h).storingHosts < held.get(h).storingHosts).length
    log(`repair: ${total}/${copiesBefore} copies on live hosts, ${under} under-replicated, ${seen}/${N - 1} hosts saw the loss`)
    if (total >= copiesBefore && under === 0 && seen === N - 1) break
    if (performance.now() - killedAt > REPAIR_MAX_S * 1000) throw new Error(`repair did not restore R within ${REPAIR_MAX_S} s`)
  }
  results.repair.seconds = Number(secs(performance.now() - killedAt))
  results.totalSeconds = Number(secs(performance.now() - t0))
  process.stdout.write(JSON.stringify(results, null, 2) + '\n')
} catch (err) {
  process.stdout.write(JSON.stringify(results, null, 2) + '\n')
  console.error(err)
  process.exitCode = 1
} finally {
  cleanup()
}
