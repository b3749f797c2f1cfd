import type { SimConfig, SimResult } from './model.js'
import { DEFAULT_SIM, simulate } from './model.js'

/** The runs `npm run sim` prints: 100 and 1,000 hosts in 3 to 10 zones. */
export const SIM_RUNS: Array<Pick<SimConfig, 'hosts' | 'zones' | 'blocks'>> = [
  { hosts: 100, zones: 3, blocks: 200_000 },
  { hosts: 100, zones: 7, blocks: 200_000 },
  { hosts: 1000, zones: 3, blocks: 100_000 },
  { hosts: 1000, zones: 10, blocks: 100_000 }
]

export const GOALS = {
  /** Bytes per host within ±10% of its weight's share (100 hosts, ≥ 100,000 blocks). */
  spread: 0.10,
  /** Data moved on a join or leave at most 1.2× the ideal. */
  movement: 1.2
}

export const MODEL_NOTE = [
  'Modelled: the real placement function (mesh/placement.ts: zone-aware weighted HRW) over model hosts of',
  'mixed sizes (2/4/8/12 TB, zones balanced by capacity) and random block keys; the repair rule of',
  'mesh/repair.ts (the best-ranked live holder sends each missing copy to the new targets, once), fewest',
  'live copies first, each host sending at the repair rate and receiving at the link rate.',
  'Not modelled: the network (latency, loss, congestion), probes, disk speed, user traffic, churn during',
  'repair, quotas filling up, deletion of surplus copies (Cairn keeps them).'
].join('\n')

const pct = (x: number): string => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`
const ratio = (moved: number, ideal: number): string => ideal === 0 ? (moved === 0 ? '1.00' : 'inf') : (moved / ideal).toFixed(2)
const gib = (copies: number, blockSize: number): string => `${(copies * blockSize / 2 ** 30).toFixed(1)} GiB`
const secs = (s: number): string => s < 120 ? `${s.toFixed(1)} s` : `${(s / 60).toFixed(1)} min`

function row (cells: string[], widths: number[]): string {
  return cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()
}

/** One table line per run, then the goals checked. */
export function formatResults (results: SimResult[]): string {
  const header = ['hosts', 'zones', 'blocks', 'spread vs weight', '2 in 1 zone', 'join moved/ideal', 'leave moved/ideal',
    'host down: repair (×lost), time', 'zone down: lost, repair, time, 2-in-1-zone after']
  const lines = results.map(r => {
    const { config: c } = r
    return [
      String(c.hosts), String(c.zones), String(c.blocks),
      `${pct(r.spread.min)} .. ${pct(r.spread.max)}`,
      String(r.spread.zoneCollisions),
      ratio(r.join.moved, r.join.ideal),
      ratio(r.leave.moved, r.leave.ideal),
      `${gib(r.hostDown.repairCopies, c.blockSize)} (${ratio(r.hostDown.repairCopies, r.hostDown.lostCopies)}), ${secs(r.hostDown.repairSeconds)}`,
      `${r.zoneDown.lostBlocks}, ${gib(r.zoneDown.repairCopies, c.blockSize)} (${ratio(r.zoneDown.repairCopies, r.zoneDown.lostCopies)}), ${secs(r.zoneDown.repairSeconds)}, ${r.zoneDown.zoneCollisions}`
    ]
  })
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map(l => l[i]!.length)))
  const c = results[0]?.config ?? { ...DEFAULT_SIM }
  return [
    `R=${c.replicas}, blocks of ${c.blockSize / 1024} KiB, repair rate ${(c.repairRate / 2 ** 20).toFixed(0)} MiB/s per host, links ${(c.linkRate / 1e6 * 8).toFixed(0)} Mbit/s`,
    row(header, widths),
    ...lines.map(l => row(l, widths)),
    '',
    ...checkGoals(results).map(g => `${g.met ? 'met    ' : 'MISSED '} ${g.goal}`),
    '',
    'The spread is counting noise, about ±3.5/√(copies a small host holds): at 1,000 hosts and 100,000 blocks a',
    '2 TB host holds ~90 copies, so ±30% there is expected; the ±10% goal is for 100 hosts.',
    '"2-in-1-zone after" a zone dies with 3 zones is unavoidable (3 copies, 2 zones left) and is fixed when it returns.',
    '',
    MODEL_NOTE
  ].join('\n')
}

export interface GoalCheck {
  goal: string
  met: boolean
}

export function checkGoals (results: SimResult[]): GoalCheck[] {
  const at100 = results.filter(r => r.config.hosts === 100 && r.config.blocks >= 100_000)
  const zone3 = results.filter(r => r.config.zones === 3 && r.config.replicas === 3)
  return [
    {
      goal: `bytes per host within ±${GOALS.spread * 100}% of its weight's share at 100 hosts, ≥ 100,000 blocks`,
      met: at100.length > 0 && at100.every(r => Math.max(-r.spread.min, r.spread.max) <= GOALS.spread)
    },
    { goal: 'no block with two copies in one zone', met: results.every(r => r.spread.zoneCollisions === 0) },
    {
      goal: `data moved on a join or a leave ≤ ${GOALS.movement}× the ideal`,
      met: results.every(r => r.join.moved <= GOALS.movement * r.join.ideal && r.leave.moved <= GOALS.movement * r.leave.ideal)
    },
    { goal: 'repair sends each lost copy once (≤ 1.2× the lost data)', met: results.every(r => r.hostDown.repairCopies <= 1.2 * r.hostDown.lostCopies) },
    { goal: 'no block lost with one zone down (R=3, 3 zones)', met: zone3.length > 0 && zone3.every(r => r.zoneDown.lostBlocks === 0) }
  ]
}

/** Run `runs` and format them; `progress` hears of each run as it starts. */
export function runSimulation (runs = SIM_RUNS, progress: (line: string) => void = () => {}): { results: SimResult[], text: string } {
  const results = runs.map(run => {
    progress(`simulating ${run.hosts} hosts in ${run.zones} zones, ${run.blocks} blocks…`)
    return simulate({ ...DEFAULT_SIM, ...run })
  })
  return { results, text: formatResults(results) }
}
