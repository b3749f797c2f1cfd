// Runs every bench section, each in its own Node process (so peak RSS is per
// section), and prints their results as tables; then the targets table
// (summary.mjs): for each of issue 12's targets the median over the runs,
// against its baseline and, where measured, its floor.
//
//   npm run bench                       build, then every section, 3 runs each
//   node bench/run.mjs [--only core,hosts] [--runs N] [--size 1GiB]
//
// Adding a section: write bench/<name>.mjs that prints its progress on stderr
// and ONE JSON line on stdout (an object; nested objects become dotted rows;
// `section` names it, `notes` is a list of strings printed under the table,
// `pass` maps checks to booleans, `summary` lists rows of the targets table,
// see summary.mjs), then add it to SECTIONS below. Arguments after the options
// (and --size) are passed through to every section.
//
// Exit code 0 when every section ran and every check passed, except a target
// whose floor, measured in the same runs, is itself below the goal (verdict
// "floor" in the targets table): that one is reported, not failed.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { printSummary, summarize } from './summary.mjs'

const SECTIONS = [
  { name: 'core', script: 'core.mjs', about: 'add/read pipelines vs one-pass AES-GCM + SHA-256 (OpenSSL; --provider webcrypto: Web Crypto), in memory' },
  // --settle: the get starts once the put's repair passes are done, so its CPU is the get's own.
  { name: 'hosts', script: 'hosts.mjs', args: ['--settle'], about: 'put/get through three cairn hosts vs raw ws' },
  { name: 'tls', script: 'tls.mjs', about: 'client handshake and put/get over wss:// vs ws:// (one host each)' },
  { name: 'browser', script: 'browser.mjs', about: 'tab→tab over WebRTC vs raw RTCDataChannel, tab→host and host→tab (download through the service worker) vs raw WebSocket (Chromium)' }
]

function parseArgs (argv) {
  const args = { only: undefined, runs: 3, pass: [] }
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--only') args.only = (argv[++i] ?? '').split(',').filter(Boolean)
    else if (argv[i] === '--runs') args.runs = Number(argv[++i])
    else args.pass.push(argv[i])
  }
  if (!Number.isSafeInteger(args.runs) || args.runs < 1) {
    console.error('--runs: a whole number of runs, at least 1')
    process.exit(2)
  }
  return args
}

function runSection (section, args) {
  const script = fileURLToPath(new URL(`./${section.script}`, import.meta.url))
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (text) => { out += text })
    child.on('error', (error) => resolve({ error: error.message }))
    child.on('exit', (code, signal) => {
      const line = out.trim().split('\n').filter(Boolean).at(-1) ?? ''
      if (code !== 0) return resolve({ error: `exited with ${signal ?? code}` })
      try {
        resolve({ result: JSON.parse(line) })
      } catch {
        resolve({ error: `printed no JSON result line (got ${JSON.stringify(line.slice(0, 200))})` })
      }
    })
  })
}

function rows (value, prefix = '') {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [[prefix, format(value)]]
  return Object.entries(value).flatMap(([key, inner]) => rows(inner, prefix === '' ? key : `${prefix}.${key}`))
}

function format (value) {
  if (typeof value === 'boolean') return value ? 'yes' : 'NO'
  return Array.isArray(value) ? value.join(', ') : String(value)
}

function printTable (name, about, result, run) {
  const { section, notes, summary, ...fields } = result
  const table = rows(fields)
  const width = Math.max(...table.map(([key]) => key.length))
  console.log(`\n== ${section ?? name}${run}: ${about}`)
  for (const [key, value] of table) console.log(`  ${key.padEnd(width)}  ${value}`)
  for (const note of notes ?? []) console.log(`  * ${note}`)
}

const args = parseArgs(process.argv.slice(2))
const chosen = SECTIONS.filter((s) => args.only === undefined || args.only.includes(s.name))
if (args.only !== undefined && chosen.length !== args.only.length) {
  console.error(`unknown section in --only; sections: ${SECTIONS.map((s) => s.name).join(', ')}`)
  process.exit(2)
}
let failed = 0
const summaries = []
for (const section of chosen) {
  if (!existsSync(fileURLToPath(new URL(`./${section.script}`, import.meta.url)))) {
    console.log(`\n== ${section.name}: skipped (bench/${section.script} not present)`)
    continue
  }
  const results = []
  for (let run = 1; run <= args.runs; run++) {
    const runName = args.runs === 1 ? '' : ` (run ${run}/${args.runs})`
    process.stderr.write(`\n-- running ${section.name}${runName} (${section.about})\n`)
    const { result, error } = await runSection(section, [...(section.args ?? []), ...args.pass])
    if (error !== undefined) {
      failed++
      console.log(`\n== ${section.name}${runName}: FAILED, ${error}`)
      continue
    }
    printTable(section.name, section.about, result, runName)
    results.push(result)
  }
  const rows = summarize(results.map((r) => r.summary ?? []))
  summaries.push(...rows)
  // A missed target fails the run, whether or not a check of the section stands for it.
  for (const row of rows.filter((r) => r.verdict === 'MISSED' && r.pass === undefined)) {
    failed++
    console.log(`\n== ${section.name}: target "${row.target}" missed`)
  }
  // A check fails if it failed in the median run: through its target row when it has one
  // (unless floor-bound), else when it failed in more than half of the runs.
  const decided = new Map(rows.filter((r) => r.pass !== undefined).map((r) => [r.pass, r.verdict !== 'MISSED']))
  const checks = new Set(results.flatMap((r) => Object.keys(r.pass ?? {})))
  for (const check of checks) {
    const ok = decided.get(check) ?? results.filter((r) => r.pass?.[check] === false).length * 2 <= results.length
    if (!ok) {
      failed++
      console.log(`\n== ${section.name}: check ${check} failed`)
    }
  }
}
printSummary(summaries, args.runs)
console.log(failed === 0 ? '\nall sections ran and met their targets or their measured floors' : `\n${failed} section run(s) or check(s) failed or missed a target`)
process.exitCode = failed === 0 ? 0 : 1
