// `npm run sim`: the placement and repair model for 100 and 1,000 hosts (packages/core/src/sim).
// `--small` runs a quick version (what the tests run). Exits 1 if a goal is missed.
import { runSimulation, SIM_RUNS, checkGoals } from '../packages/core/dist/sim/report.js'

const small = process.argv.includes('--small')
const runs = small ? SIM_RUNS.map(run => ({ ...run, hosts: Math.min(run.hosts, 100), blocks: Math.min(run.blocks, 20_000) })) : SIM_RUNS
const { results, text } = runSimulation(runs, line => { process.stderr.write(`${line}\n`) })
process.stdout.write(`${text}\n`)
if (!small && checkGoals(results).some(goal => !goal.met)) process.exitCode = 1
