// The targets table `run.mjs` prints last: one row per target of issue 12, the
// median of every run of the section that measured it.
//
// A section's JSON line may carry `summary`, a list of rows:
//   { target, unit, cairn, baseline, against, goal, ratio?, floor?, cpu?, pass? }
// cairn and baseline are rates in `unit`, measured in the same run; ratio is
// cairn / baseline unless the section gives its own (a median of its rounds); `floor` is the floor's own ratio to the same baseline (the
// least work that target needs, measured in the same run), when the section
// measures one; `cpu` is CPU-s per GiB (or ms per MiB), for context; `pass`
// names the section's `pass` check that the row decides.
//
// A row may also carry `samples`, [{ ratio, floor }] of the measurements
// within its run that each had a floor of their own (core's rounds: a round
// whose store faults in fresh pages has a lower floor than one that reuses
// memory); without it the row is one sample.
//
// Verdicts, judged sample by sample so that a ratio is only ever held against
// its own floor: a sample's reachable goal is the goal, or, when its floor is
// below the goal (the goal is out of reach then), the goal's share of that
// floor (the goal judged against the floor instead of the baseline, so a
// regression still fails); its score is ratio / reachable goal. `met`: the
// median ratio reaches the goal; `floor`: it does not, but the median score
// reaches 1; `MISSED` otherwise.
//
// A row with `lower: true` is a cost, not a rate (CPU-s per GiB): cairn and
// baseline are costs, its ratio is baseline / cairn (how many times less Cairn
// costs than the baseline), its goal how many times less it must cost (2: at
// most half), and its floor baseline / the floor's cost. The same rule then
// reads: when the floor costs more than the goal allows, the reachable goal is
// the goal's share of the floor ("half the baseline" becomes "at most twice the
// floor", as a rate goal of 0.5 becomes "half the floor's rate"), but never more
// than the baseline itself. For a goal of 2 that cap always binds (a floor above
// half the baseline, doubled, is above the baseline): a floor-bound cost must not
// grow past where it started.

import { median } from './stats.mjs'

/** A row's ratio: the section's own, else Cairn against the baseline (the baseline against Cairn for a cost). */
const ratioOf = (r) => r.ratio ?? (r.lower === true ? r.baseline / r.cairn : r.cairn / r.baseline)

/** Rows of every run, keyed by target, in first-seen order: medians, with each run's ratio listed. */
export function summarize (runs) {
  const byTarget = new Map()
  for (const rows of runs) {
    for (const row of rows) {
      if (!byTarget.has(row.target)) byTarget.set(row.target, [])
      byTarget.get(row.target).push(row)
    }
  }
  return [...byTarget.values()].map((rows) => {
    const first = rows[0]
    const ratios = rows.map(ratioOf)
    const ratio = median(ratios)
    const floor = median(rows.map((r) => r.floor))
    const samples = rows.flatMap((r) => r.samples ?? [{ ratio: ratioOf(r), floor: r.floor }])
    // The goal's share of the floor: goal × floor for a rate (goal < 1), floor / goal for a
    // cost (goal > 1), a cost never allowed above its baseline (the cost it started from).
    const share = first.lower === true ? 1 / first.goal : first.goal
    const atLeast = first.lower === true ? 1 : 0
    const reachable = (f) => f !== undefined && f < first.goal ? Math.max(share * f, atLeast) : first.goal
    const score = median(samples.map((x) => x.ratio / reachable(x.floor)))
    const verdict = ratio >= first.goal ? 'met' : score >= 1 ? 'floor' : 'MISSED'
    return {
      target: first.target,
      unit: first.unit,
      lower: first.lower === true,
      against: first.against,
      cairn: median(rows.map((r) => r.cairn)),
      baseline: median(rows.map((r) => r.baseline)),
      ratio,
      ratios,
      goal: first.goal,
      floor,
      ofFloor: floor === undefined ? undefined : ratio / floor,
      score,
      samples: samples.length,
      cpu: rows.at(-1).cpu,
      pass: first.pass,
      verdict
    }
  })
}

const fixed = (x, digits) => x === undefined ? '—' : x.toFixed(digits)

export function printSummary (rows, runs) {
  if (rows.length === 0) return
  const header = ['target', 'Cairn', 'baseline', 'ratio', 'runs', 'goal', 'floor', 'of floor', 'score', 'verdict', 'CPU']
  const table = rows.map((r) => [
    r.target,
    `${fixed(r.cairn, 1)} ${r.unit}`,
    `${fixed(r.baseline, 1)} (${r.against})`,
    fixed(r.ratio, 2),
    r.ratios.map((x) => x.toFixed(2)).join(' '),
    r.lower ? `${fixed(r.goal, 2)}×` : fixed(r.goal, 2),
    fixed(r.floor, 2),
    fixed(r.ofFloor, 2),
    `${fixed(r.score, 2)} (${r.samples})`,
    r.verdict,
    r.cpu ?? ''
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)))
  const line = (cells) => '  ' + cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()
  console.log(`\n== targets: medians of ${runs} run(s) each (each column on its own); ratio: Cairn / baseline within each run, then their median`)
  console.log(line(header))
  for (const row of table) console.log(line(row))
  console.log('  * cost rows (×): ratio = baseline / Cairn, how many times less Cairn costs; goal 2× = at most half. floor: the floor\'s own ratio to the baseline (the least work the target needs, measured in the same run), median of the runs; "of floor" = ratio / floor. score: median over the samples (a run, or each of its rounds) of ratio / reachable goal, where the reachable goal is the goal, or the goal\'s share of the sample\'s own floor when that floor is below the goal; verdict "floor": ratio below the goal but score >= 1. CPU: the last run\'s')
}
