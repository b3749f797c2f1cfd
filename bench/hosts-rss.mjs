// Preloaded (node --import) into the processes bench/hosts.mjs and bench/tls.mjs start: on exit,
// writes {"maxRss": bytes, "cpuMs": user+system, "systemMs": system} to $CAIRN_BENCH_RSS.<pid>.
import { writeFileSync } from 'node:fs'

const out = process.env.CAIRN_BENCH_RSS
if (out) {
  process.on('exit', () => {
    const usage = process.resourceUsage()
    const cpuMs = Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000)
    writeFileSync(`${out}.${process.pid}`, JSON.stringify({ maxRss: usage.maxRSS * 1024, cpuMs, systemMs: Math.round(usage.systemCPUTime / 1000) }))
  })
}
