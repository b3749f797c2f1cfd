// Runs the raw replicated durable write (raw-replicated.mjs) of one file through three
// fresh hosts in each topology, plain and --verify (and fan-out without fsync), for
// bench/hosts.mjs: the floor under `cairn put` R=3 on this machine.
//
//   fanout  client → h1; h1 stores and forwards to h2 and h3 (what Cairn's put does)
//   direct  client → h1, h2 and h3
//   chain   client → h1 → h2 → h3; each acknowledges once its successor has
// Every host acknowledges a block once it and its successors stored it (all 3: W=3).
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const SCRIPT = fileURLToPath(new URL('./raw-replicated.mjs', import.meta.url))
/** Per topology: the hosts each host forwards to, and the hosts the client sends to (indices). */
export const TOPOLOGIES = {
  fanout: { forward: [[1, 2], [], []], client: [0] },
  direct: { forward: [[], [], []], client: [0, 1, 2] },
  chain: { forward: [[1], [2], []], client: [0] }
}

/** The cases measured: each topology plain and verified (*Verify), and fan-out without fsync (what durability costs). */
const CASES = [
  ...Object.keys(TOPOLOGIES).map(name => ({ key: name, topology: name, verify: false, sync: true })),
  ...Object.keys(TOPOLOGIES).map(name => ({ key: `${name}Verify`, topology: name, verify: true, sync: true })),
  { key: 'fanoutNoSync', topology: 'fanout', verify: false, sync: false }
]

/** One write of `file` through three new hosts; wall time of the client process and every pid. */
async function writeOnce (procs, file, dir, { topology, verify, sync }) {
  const flags = verify ? ['--verify'] : []
  const ports = []
  const hosts = []
  // Last first: a host connects to the hosts it forwards to as it starts.
  for (let i = 2; i >= 0; i--) {
    const forward = topology.forward[i].map(j => ports[j]).join(',')
    hosts[i] = procs.start([SCRIPT, 'host', join(dir, `h${i + 1}`), '--forward', forward, ...flags, ...(sync ? [] : ['--no-sync'])])
    ports[i] = (await procs.firstJsonLine(hosts[i])).port
  }
  const client = await procs.run([SCRIPT, 'client', file, topology.client.map(j => ports[j]).join(','), ...flags])
  for (const host of hosts) host.kill('SIGTERM')
  const exits = await Promise.all(hosts.map(h => h.exited))
  if (exits.some(e => e.code !== 0)) throw new Error(`a raw host failed: ${hosts.map(h => h.stderrText).join('')}`)
  await rm(dir, { recursive: true, force: true })
  return { ms: client.ms, pids: [client.pid, ...hosts.map(h => h.pid)] }
}

/**
 * Every case (CASES: 'fanout', 'fanoutVerify', …): MiB/s, ratio to `rawWsMs`,
 * and CPU-s per GiB of the client, each host (h1 h2 h3), in total, and of that total the
 * kernel's share (system time: socket and file copies, the file system, fsync).
 */
export async function rawReplicated ({ procs, file, size, work, rawWsMs, log }) {
  const gib = size / 2 ** 30
  const perGiB = (ms) => +(ms / 1000 / gib).toFixed(2)
  const result = { mibPerSec: {}, ratios: {}, cpuSecondsPerGiB: {} }
  for (const { key, topology, verify, sync } of CASES) {
    log(`raw replicated write, ${key}`)
    const { ms, pids } = await writeOnce(procs, file, join(work, 'raw-replicated'), { topology: TOPOLOGIES[topology], verify, sync })
    const usage = await Promise.all(pids.map(pid => procs.usageOf(pid)))
    const [client, ...hosts] = usage.map(u => u.cpuMs)
    const systemMs = usage.reduce((sum, u) => sum + u.systemMs, 0)
    result.mibPerSec[key] = Math.round(size / 2 ** 20 / (ms / 1000))
    result.ratios[key] = +(rawWsMs / ms).toFixed(3)
    result.cpuSecondsPerGiB[key] = {
      client: perGiB(client), hosts: hosts.map(perGiB).join(' '), total: perGiB(client + hosts.reduce((a, b) => a + b, 0)), system: perGiB(systemMs)
    }
  }
  return result
}
