#!/usr/bin/env node
/**
 * `npm test`: every stage runs, whatever an earlier one did, and each is
 * reported; the exit code is non-zero if any stage failed.
 *
 *   build   tsc for core and node-host, vite for the web app
 *   types   tsc over every package's sources and tests, and e2e (`npm run typecheck`)
 *   vitest  unit and integration tests (real host processes, real sockets and disk)
 *   e2e     Playwright specs in Debian's Chromium, Firefox ESR and WebKitGTK (e2e/run.mjs)
 *
 * Each test runner also writes a JSON report under test-results/, from which
 * the closing line counts tests over all stages: `tests: N passed, N failed`,
 * after a line per failed test (its file, name and the first line of its error).
 * A stage that fails without a report (a build error, a runner that could not
 * start) counts as one failed test, so that line never reads "0 failed" for a
 * red run. Extra arguments are not accepted: run a stage's own command
 * (`npx vitest run FILE`, `npm run e2e -- FILE`) to run part of it.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const reports = join(root, 'test-results')
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'

if (process.argv.length > 2) {
  console.error('npm test takes no arguments; run `npx vitest run FILE` or `npm run e2e -- FILE` for part of it')
  process.exit(2)
}

/** Counts from vitest's JSON reporter (Jest's format). */
function vitestCounts (file) {
  const report = JSON.parse(readFileSync(file, 'utf8'))
  return {
    passed: report.numPassedTests,
    failed: report.numFailedTests + filesFailedWithoutTests(report),
    skipped: report.numPendingTests + (report.numTodoTests ?? 0),
    names: report.testResults.flatMap(file => {
      const tests = file.assertionResults.filter(test => test.status === 'failed')
      if (file.status === 'failed' && tests.length === 0) return [`${relative(root, file.name)}: ${firstLine(file.message)}`]
      return tests.map(test => `${relative(root, file.name)} › ${test.fullName}: ${firstLine(test.failureMessages?.[0])}`)
    })
  }
}

/** The first line of a failure message, so the summary names the cause. */
function firstLine (message) {
  return String(message ?? '').replace(/\u001b\[[0-9;]*m/g, '').split('\n').find(line => line.trim() !== '')?.trim().slice(0, 300) ?? ''
}

/** Test files that failed without a failed test (they did not load): one failure each. */
function filesFailedWithoutTests (report) {
  return report.testResults.filter(file => file.status === 'failed' && !file.assertionResults.some(test => test.status === 'failed')).length
}

/** Counts from Playwright's JSON reporter. */
function playwrightCounts (file) {
  const { stats, suites } = JSON.parse(readFileSync(file, 'utf8'))
  const names = []
  const walk = (suite) => {
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests ?? []) {
        if (test.status === 'unexpected' || test.status === 'flaky') {
          const error = test.results?.find(result => result.error !== undefined)?.error
          names.push(`${spec.file}:${spec.line} › ${spec.title}${test.projectName ? ` [${test.projectName}]` : ''}: ${firstLine(error?.message)}`)
        }
      }
    }
    for (const child of suite.suites ?? []) walk(child)
  }
  for (const suite of suites ?? []) walk(suite)
  return { passed: stats.expected, failed: stats.unexpected + stats.flaky, skipped: stats.skipped, names }
}

const stages = [
  { name: 'build', command: npm, args: ['run', 'build'] },
  // Sources and tests alike (test files are not built, so only this checks their types).
  { name: 'types', command: npm, args: ['run', 'typecheck'] },
  {
    name: 'vitest',
    command: process.execPath,
    args: [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${join(reports, 'vitest.json')}`],
    report: join(reports, 'vitest.json'),
    counts: vitestCounts
  },
  {
    name: 'e2e',
    command: process.execPath,
    args: [join(root, 'e2e/run.mjs')],
    env: { CAIRN_E2E_REPORT: join(reports, 'e2e.json') },
    report: join(reports, 'e2e.json'),
    counts: playwrightCounts
  }
]

mkdirSync(reports, { recursive: true })
const results = []
for (const stage of stages) {
  if (stage.report !== undefined) rmSync(stage.report, { force: true })
  console.log(`\n== test stage: ${stage.name} ==\n`)
  const started = performance.now()
  const run = spawnSync(stage.command, stage.args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...stage.env } })
  const seconds = Math.round((performance.now() - started) / 1000)
  const ok = run.status === 0
  let counts
  let note = ''
  if (stage.report !== undefined) {
    if (existsSync(stage.report)) {
      try {
        counts = stage.counts(stage.report)
      } catch (error) {
        note = `unreadable report: ${error.message}`
      }
    } else {
      note = 'no test report'
    }
  }
  if (run.error !== undefined) note = `could not start: ${run.error.message}`
  else if (run.status === null) note = `ended by ${run.signal}`
  // A red stage with no failed test in its report (a crash, a build error) still counts once.
  if (!ok && (counts === undefined || counts.failed === 0)) counts = { passed: counts?.passed ?? 0, failed: 1, skipped: counts?.skipped ?? 0 }
  results.push({ name: stage.name, ok, seconds, counts, note })
}

const total = { passed: 0, failed: 0, skipped: 0 }
console.log('\n== test summary ==')
for (const { name, ok, seconds, counts, note } of results) {
  const tally = counts === undefined ? '' : `${counts.passed} passed, ${counts.failed} failed${counts.skipped > 0 ? `, ${counts.skipped} skipped` : ''}`
  console.log(`  ${name.padEnd(7)} ${(ok ? 'ok' : 'FAILED').padEnd(7)} ${String(seconds).padStart(5)} s  ${tally}${note === '' ? '' : `  (${note})`}`)
  if (counts !== undefined) {
    total.passed += counts.passed
    total.failed += counts.failed
    total.skipped += counts.skipped
    // Name each failed test in the closing lines, where a truncated log still shows them.
    for (const failed of counts.names ?? []) console.log(`    failed: ${failed}`)
  }
}
const failedStages = results.filter(result => !result.ok).map(result => result.name)
if (failedStages.length > 0) console.log(`  failed stages: ${failedStages.join(', ')}`)
console.log(`tests: ${total.passed} passed, ${total.failed} failed${total.skipped > 0 ? `, ${total.skipped} skipped` : ''}`)
process.exit(failedStages.length > 0 ? 1 : 0)
