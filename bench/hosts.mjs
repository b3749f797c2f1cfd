// Bench section: put and get of one file through three `cairn host` processes
// (R=3) on loopback, against a raw `ws` transfer of the same bytes between two
// processes (the transport limit) and a raw replicated durable write of them through
// three raw hosts (raw-replicated-runs.mjs: the floor under put R=3) in the same run,
// with the peak RSS of every process. Prints one JSON line on stdout; progress goes to stderr.
//
//   npm run build && node bench/hosts.mjs [--size 1GiB] [--settle] [--no-raw-replicated]
//
// Targets: get >= 50% of raw ws, put (3 replicas) >= 30% of it, every host's
// peak RSS < 200 MiB (run once with --size 4GiB to see it does not grow).
import { randomBytes } from 'node:crypto'
import { mkdtemp, open, readFile, rm } from 'node:fs/promises'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { NODE_FLAGS } from '@cairn/node-host'
import { procCpuMs, processGroup } from './procs.mjs'
import { rawReplicated } from './raw-replicated-runs.mjs'

const MiB = 1024 * 1024
const CLI = fileURLToPath(new URL('../packages/node-host/dist/cli/main.js', import.meta.url))
const RAW_WS = fileURLToPath(new URL('./raw-ws.mjs', import.meta.url))
const RAW_GET = fileURLToPath(new URL('./raw-get.mjs', import.meta.url))
const TARGETS = { get: 0.5, put: 0.3, hostRssMiB: 200, rssGrowthMiB: 16, cpuCut: 2 }
/**
 * Issue 12's CPU target: client and host CPU per GiB at most half of what they cost when it
 * was filed (CPU-s per GiB, this bench, 1 GiB): the get client ~6–9 (the issue; 6 taken),
 * the host serving a get 4.3–5.4 (docs/design.md, the first measurement of it in this
 * issue; 4.3 taken), a put R=3 ~30 across its four processes (the issue).
 */
const CPU_AT_START = { getClient: 6, getHost: 4.3, put: 30 }

function parseSizeArg (argv) {
  const i = argv.indexOf('--size')
  const text = i === -1 ? '1GiB' : argv[i + 1] ?? ''
  const m = /^(\d+)\s*(MiB|GiB)?$/i.exec(text)
  if (m === null) throw new Error(`--size: expected e.g. 512MiB, 1GiB, 4GiB; got '${text}'`)
  return Number(m[1]) * ((m[2] ?? 'MiB').toLowerCase() === 'gib' ? 1024 * MiB : MiB)
}

const size = parseSizeArg(process.argv.slice(2))
/**
 * --settle: before the get, wait until the hosts are quiet (the repair passes the put
 * set off are done), so the get's host CPU is serving, not leftover put work; that
 * work is reported as `putSettle`. Without it the two overlap, by a varying amount.
 */
const SETTLE = process.argv.includes('--settle')
/** --no-raw-replicated: skip the raw replicated durable writes (raw-replicated-runs.mjs), ~6 transfers of the file. */
const RAW_REPLICATED = !process.argv.includes('--no-raw-replicated')
const work = await mkdtemp(join(tmpdir(), 'cairn-bench-hosts-'))
const rssBase = join(work, 'rss')
const log = (text) => process.stderr.write(`hosts: ${text}\n`)

/**
 * The V8 flags every `cairn` process runs with: the command's own (NODE_FLAGS, which its
 * bin's shebang carries), or CAIRN_BENCH_NODE_FLAGS (space-separated; '' for none) to compare.
 */
const CLI_FLAGS = process.env.CAIRN_BENCH_NODE_FLAGS === undefined ? NODE_FLAGS : process.env.CAIRN_BENCH_NODE_FLAGS.split(' ').filter(Boolean)

/** CAIRN_BENCH_PROF=DIR: every process writes a V8 CPU profile to DIR (for finding where time goes). */
const PROF = process.env.CAIRN_BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.CAIRN_BENCH_PROF}`] : []

const procs = processGroup({
  usageBase: rssBase,
  flagsFor: (args) => [...(args[0] === CLI ? CLI_FLAGS : []), ...PROF]
})
const { start, firstJsonLine, run, usageOf } = procs

async function writeSource (path) {
  const pattern = randomBytes(16 * MiB)
  const handle = await open(path, 'w')
  for (let done = 0; done < size;) {
    const n = Math.min(pattern.length, size - done)
    await handle.write(pattern, 0, n)
    pattern[done % pattern.length] ^= 1 // plaintext repeats are fine (fresh key, ciphertext differs); keep it varied anyway
    done += n
  }
  await handle.close()
}

async function startHosts () {
  const hosts = []
  for (let i = 0; i < 3; i++) {
    const peer = hosts.length === 0 ? [] : ['--peer', hosts[0].peerUrl]
    const child = start([CLI, 'host', '--port', '0', '--json', '--replicas', '3', '--data', join(work, `host${i}`), ...peer])
    hosts.push({ ...(await firstJsonLine(child)), child })
  }
  const deadline = Date.now() + 60_000
  for (const host of hosts) {
    for (;;) {
      const { out } = await run([CLI, 'status', '--mesh', host.url, '--json'])
      if (JSON.parse(out).peers.filter(p => p.role === 'host').length >= 2) break
      if (Date.now() > deadline) throw new Error('hosts did not form a mesh within 60 s')
      await new Promise(resolve => setTimeout(resolve, 200))
    }
  }
  return hosts
}

async function rawWs (file) {
  const server = start([RAW_WS, 'server'])
  const { port } = await firstJsonLine(server)
  const client = await run([RAW_WS, 'client', String(port), file])
  server.kill('SIGTERM')
  await server.exited
  return { ms: client.ms, pids: { rawServer: server.pid, rawClient: client.pid } }
}

/**
 * The floor for get (raw-get.mjs): the least work a get must do (server: read a
 * sealed block file, hash it, send it; client: hash, open 64 AES-GCM chunks,
 * write), over plain ws. The server's CPU is counted from after it has sealed
 * the file.
 */
async function rawGet (file) {
  const server = start([RAW_GET, 'server', file, join(work, 'raw-get')])
  const { port } = await firstJsonLine(server)
  const before = await procCpuMs(server.pid)
  const client = await run([RAW_GET, 'client', String(port)])
  const serverCpuMs = await procCpuMs(server.pid) - before
  server.kill('SIGTERM')
  await server.exited
  return { ms: client.ms, serverCpuMs, pids: { rawGetClient: client.pid } }
}

async function hostsCpuMs (hosts) {
  return await Promise.all(hosts.map(h => procCpuMs(h.child.pid)))
}

/** Wait (at most 60 s) until the hosts together used under 3% of a core over the last second. */
async function settle (hosts) {
  const deadline = Date.now() + 60_000
  let last = await hostsCpuMs(hosts)
  for (;;) {
    await new Promise(resolve => setTimeout(resolve, 1000))
    const now = await hostsCpuMs(hosts)
    const used = now.reduce((sum, ms, i) => sum + ms - last[i], 0)
    last = now
    if (used < 30 || Date.now() > deadline) return
  }
}

/**
 * Samples the hosts' resident set size (VmRSS) every 250 ms during a phase and
 * returns the largest value seen in its first and in its second half, in MiB:
 * if memory grew with the bytes moved, the second half would be higher.
 */
function sampleRss (hosts) {
  const samples = []
  const started = performance.now()
  const timer = setInterval(async () => {
    const now = performance.now() - started
    for (const host of hosts) {
      try {
        const status = await readFile(`/proc/${host.child.pid}/status`, 'utf8')
        samples.push([now, Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) * 1024])
      } catch {}
    }
  }, 250)
  return () => {
    clearInterval(timer)
    const half = (performance.now() - started) / 2
    const max = (list) => mib(Math.max(0, ...list.map(([, rss]) => rss)))
    return [max(samples.filter(([t]) => t < half)), max(samples.filter(([t]) => t >= half))]
  }
}

const rate = (ms) => Math.round(size / MiB / (ms / 1000))
const mib = (bytes) => Math.round(bytes / MiB)

/**
 * The targets table's cost rows: CPU-s per GiB of the get client, the host serving the get
 * (host 2) and the put's four processes (with the hosts' work after it, when settled), each against its cost when issue 12 was filed
 * (goal: at most half) and with the floor measured in this run (the raw get's client and
 * server; the raw verified fan-out write, when it ran).
 */
function cpuRows ({ getClient, getHost, put }, floors) {
  const row = (target, cairn, start, floor) => ({
    target, unit: 'CPU-s/GiB', lower: true, cairn, baseline: start, against: "at issue 12's start", goal: TARGETS.cpuCut, ...(floor === undefined ? {} : { floor: start / floor })
  })
  return [
    row('get client CPU', getClient, CPU_AT_START.getClient, floors.getClient),
    row('get serving host CPU', getHost, CPU_AT_START.getHost, floors.getHost),
    row('put R=3 CPU, 4 processes', put, CPU_AT_START.put, floors.put)
  ]
}

try {
  const source = join(work, 'source.bin')
  log(`writing a ${mib(size)} MiB source file`)
  await writeSource(source)
  log('starting three hosts, R=3')
  const hosts = await startHosts()
  log('put through host 1')
  const cpu0 = await hostsCpuMs(hosts)
  const putRss = sampleRss(hosts)
  const put = await run([CLI, 'put', source, '--mesh', hosts[0].url, '--json'])
  const putHalves = putRss()
  const { link, replicas } = JSON.parse(put.out)
  log(`put: ${rate(put.ms)} MiB/s, ${replicas} replicas; get through host 2`)
  const cpuPut = await hostsCpuMs(hosts)
  const settleStarted = performance.now()
  if (SETTLE) await settle(hosts)
  const settleMs = performance.now() - settleStarted
  const cpu1 = await hostsCpuMs(hosts)
  const getRss = sampleRss(hosts)
  const get = await run([CLI, 'get', link, '--mesh', hosts[1].url, '-o', '/dev/null', '--json'])
  const getHalves = getRss()
  if (JSON.parse(get.out).size !== size) throw new Error(`get returned ${get.out}`)
  const cpu2 = await hostsCpuMs(hosts)
  log(`get: ${rate(get.ms)} MiB/s; get -o FILE`)
  // What a user's get costs: the same through a part file on disk (page-cache writes, the
  // final fsync and rename), not a target of its own.
  const got = join(work, 'got.bin')
  const getFile = await run([CLI, 'get', link, '--mesh', hosts[1].url, '-o', got, '--json'])
  if (JSON.parse(getFile.out).size !== size) throw new Error(`get -o FILE returned ${getFile.out}`)
  const cpu3 = await hostsCpuMs(hosts)
  await rm(got, { force: true })
  log(`get -o FILE: ${rate(getFile.ms)} MiB/s; raw ws between two processes`)
  const raw = await rawWs(source)
  log(`raw ws: ${rate(raw.ms)} MiB/s; the get floor (raw ws + the hashing and AES-GCM a get needs)`)
  const floorGet = await rawGet(source)
  for (const host of hosts) host.child.kill('SIGTERM')
  const bounded = (h) => Promise.race([h.child.exited, new Promise(resolve => setTimeout(() => resolve({ code: 'timeout' }), 20_000))])
  const exits = await Promise.all(hosts.map(bounded))
  if (exits.some(e => e.code !== 0)) log(`a host did not exit cleanly on SIGTERM: ${JSON.stringify(exits)}`)
  const replicated = RAW_REPLICATED ? await rawReplicated({ procs, file: source, size, work, rawWsMs: raw.ms, log }) : undefined
  const pids = { host1: hosts[0].child.pid, host2: hosts[1].child.pid, host3: hosts[2].child.pid, put: put.pid, get: get.pid, getFile: getFile.pid, ...raw.pids, ...floorGet.pids }
  const rss = {}
  const usage = {}
  for (const [name, pid] of Object.entries(pids)) {
    usage[name] = await usageOf(pid)
    rss[name] = mib(usage[name].maxRss)
  }
  const sec = (ms) => +(ms / 1000).toFixed(1)
  const phase = (client, before, after, ms) => ({
    client: sec(usage[client].cpuMs), hosts: before.map((b, i) => sec(after[i] - b)).join(' '), wall: sec(ms)
  })
  const cpuSeconds = {
    put: phase('put', cpu0, cpuPut, put.ms),
    ...(SETTLE ? { putSettle: { hosts: cpuPut.map((b, i) => sec(cpu1[i] - b)).join(' '), wall: sec(settleMs) } } : {}),
    get: phase('get', cpu1, cpu2, get.ms),
    getFile: phase('getFile', cpu2, cpu3, getFile.ms),
    rawWs: { server: sec(usage.rawServer.cpuMs), client: sec(usage.rawClient.cpuMs), wall: sec(raw.ms) },
    rawGet: { server: sec(floorGet.serverCpuMs), client: sec(usage.rawGetClient.cpuMs), wall: sec(floorGet.ms) }
  }
  // The same per GiB moved: what issue 12 compares (raw ws costs ~2.2 CPU-s/GiB here).
  const gib = size / (1024 * MiB)
  const perGiB = (ms) => +(ms / 1000 / gib).toFixed(2)
  const phasePerGiB = (client, before, after) => ({
    client: perGiB(usage[client].cpuMs), hosts: before.map((b, i) => perGiB(after[i] - b)).join(' '),
    total: perGiB(usage[client].cpuMs + before.reduce((sum, b, i) => sum + after[i] - b, 0))
  })
  const cpuSecondsPerGiB = {
    put: phasePerGiB('put', cpu0, cpuPut),
    ...(SETTLE ? { putSettle: { hosts: cpuPut.map((b, i) => perGiB(cpu1[i] - b)).join(' ') } } : {}),
    get: phasePerGiB('get', cpu1, cpu2),
    getFile: { ...phasePerGiB('getFile', cpu2, cpu3), clientSystem: perGiB(usage.getFile.systemMs) },
    rawWs: { server: perGiB(usage.rawServer.cpuMs), client: perGiB(usage.rawClient.cpuMs), total: perGiB(usage.rawServer.cpuMs + usage.rawClient.cpuMs) },
    rawGet: { server: perGiB(floorGet.serverCpuMs), client: perGiB(usage.rawGetClient.cpuMs), total: perGiB(floorGet.serverCpuMs + usage.rawGetClient.cpuMs) }
  }
  const ratios = { get: +(raw.ms / get.ms).toFixed(3), put: +(raw.ms / put.ms).toFixed(3), getFile: +(raw.ms / getFile.ms).toFixed(3) }
  // The floor's own ratio to raw ws: a get target above it is out of reach on this machine.
  const floors = {
    get: +(raw.ms / floorGet.ms).toFixed(3),
    // The most any get doing the floor's work could reach with every core busy on it alone
    // (cores / the floor's CPU-s per GiB), as a ratio to raw ws: the raw get's own pipeline
    // leaves cores idle, so this is above floors.get; a goal above it is out of reach here.
    getAtFullCpu: +(availableParallelism() * 1024 / cpuSecondsPerGiB.rawGet.total / rate(raw.ms)).toFixed(3),
    getOfFloor: +(floorGet.ms / get.ms).toFixed(3),
    ...(replicated === undefined ? {} : { put: replicated.ratios.fanoutVerify, putOfFloor: +(raw.ms / put.ms / replicated.ratios.fanoutVerify).toFixed(3) })
  }
  const hostRss = Math.max(rss.host1, rss.host2, rss.host3)
  const result = {
    section: 'hosts',
    sizeMiB: mib(size),
    mibPerSec: { put: rate(put.ms), get: rate(get.ms), getFile: rate(getFile.ms), rawWs: rate(raw.ms), rawGet: rate(floorGet.ms) },
    replicas,
    ratios,
    floors,
    peakRssMiB: rss,
    hostRssHalvesMiB: { put: putHalves.join(' → '), get: getHalves.join(' → ') },
    cpuSeconds,
    cpuSecondsPerGiB,
    ...(replicated === undefined ? {} : { rawReplicated: replicated }),
    loadAverage: loadavg().map(x => x.toFixed(1)).join(' '),
    cliNodeFlags: CLI_FLAGS.join(' '),
    targets: TARGETS,
    notes: [
      'put/get/raw: wall time of the whole client process (start, connect, transfer, exit), same bytes',
      'cpuSeconds: user+system CPU per process during each phase (hosts as a list); compare with wall',
      "rawGet / floors.get: the least work a get must do (server: read each sealed 1 MiB block from its own file, SHA-256 it, send it; client: SHA-256 it, open its 64 AES-128-GCM chunks, write the plaintext to /dev/null) over plain ws, and its ratio to raw ws: the ceiling for ratios.get on this machine; floors.getOfFloor = Cairn's get against it",
      'getFile: the same get to a file (-o FILE: a part file written behind the read, fsynced and renamed at the end), what a user runs; not a target; getFile.clientSystem: the kernel\'s share of its client (page-cache writes, fsync)',
      'floors.getAtFullCpu: cores / the raw get\'s total CPU-s per GiB, as a ratio to raw ws: the most any get doing the floor\'s work could reach with every core on it (the raw get\'s own pipeline leaves cores idle)',
      'cpuSecondsPerGiB: the same per GiB moved (client, each host, and the sum over all processes); barely depends on machine load, unlike the rates',
      'rawReplicated: the floor under put R=3: the file sent over plain ws in 1 MiB blocks (8 in flight) to three raw hosts that store each block as FsBlockStore does (record + block: temp, write, fsync, rename; shard dir fsync) and ack once all 3 have it; fanout client→h1→h2,h3 (as Cairn), direct client→h1,h2,h3, chain client→h1→h2→h3; *Verify: client AES-GCM + SHA-256 per block, hosts SHA-256; fanoutNoSync: no fsync; ratios to rawWs; hosts h1 h2 h3; system: the kernel\'s share of total; floors.put = fanoutVerify\'s ratio (the ceiling for ratios.put on this machine), floors.putOfFloor = Cairn\'s put against it',
      "peak RSS from each process's resourceUsage().maxRSS at exit",
      'hostRssHalvesMiB: largest host VmRSS in the first → second half of each phase; flat if within rssGrowthMiB (also try --size 4GiB)'
    ],
    summary: [
      {
        target: `cairn get ${mib(size)} MiB, host → client`, unit: 'MiB/s', cairn: rate(get.ms), baseline: rate(raw.ms), ratio: ratios.get, against: 'raw ws', goal: TARGETS.get, floor: floors.get,
        cpu: `client ${cpuSecondsPerGiB.get.client}, hosts ${cpuSecondsPerGiB.get.hosts} CPU-s/GiB (floor ${cpuSecondsPerGiB.rawGet.client}, ${cpuSecondsPerGiB.rawGet.server}; the floor's work at full CPU: ${floors.getAtFullCpu} of raw)`,
        pass: 'get'
      },
      {
        target: `cairn put ${mib(size)} MiB, R=3`, unit: 'MiB/s', cairn: rate(put.ms), baseline: rate(raw.ms), ratio: ratios.put, against: 'raw ws', goal: TARGETS.put, floor: floors.put,
        cpu: `${cpuSecondsPerGiB.put.total} CPU-s/GiB in all${replicated === undefined ? '' : ` (floor ${replicated.cpuSecondsPerGiB.fanoutVerify.total})`}`,
        pass: 'put'
      },
      ...cpuRows({
        getClient: cpuSecondsPerGiB.get.client,
        getHost: perGiB(cpu2[1] - cpu1[1]),
        // The put's own work the hosts finish after it returns (repair passes; --settle) counts as the put's.
        put: perGiB(usage.put.cpuMs + cpu1.reduce((sum, after, i) => sum + after - cpu0[i], 0))
      }, { getClient: cpuSecondsPerGiB.rawGet.client, getHost: cpuSecondsPerGiB.rawGet.server, put: replicated?.cpuSecondsPerGiB.fanoutVerify.total })
    ],
    pass: {
      get: ratios.get >= TARGETS.get,
      put: ratios.put >= TARGETS.put,
      hostRss: hostRss < TARGETS.hostRssMiB,
      hostRssFlat: [putHalves, getHalves].every(([first, second]) => second <= first + TARGETS.rssGrowthMiB)
    }
  }
  console.log(JSON.stringify(result))
} finally {
  procs.killAll()
  await rm(work, { recursive: true, force: true })
}
