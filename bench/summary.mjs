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
// Verdicts: `met` (ratio >= goal); `floor` (missed, but the floor itself is
// below the goal, so the goal is out of reach on this machine, and Cairn runs
// at no less than the goal's share of that floor: the goal judged against the
// floor instead of the baseline, so a regression still fails); `MISSED`
// otherwise.

function median (values) {
  const sorted = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b)
  if (sorted.length === 0) return undefined
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

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
    const ratios = rows.map((r) => r.ratio ?? r.cairn / r.baseline)
    const ratio = median(ratios)
    const floor = median(rows.map((r) => r.floor))
    const verdict = ratio >= first.goal ? 'met' : floor !== undefined && floor < first.goal && ratio / floor >= first.goal ? 'floor' : 'MISSED'
    return {
      target: first.target,
      unit: first.unit,
      against: first.against,
      cairn: median(rows.map((r) => r.cairn)),
      baseline: median(rows.map((r) => r.baseline)),
      ratio,
      ratios,
      goal: first.goal,
      floor,
      ofFloor: floor === undefined ? undefined : ratio / floor,
      cpu: rows.at(-1).cpu,
      pass: first.pass,
      verdict
    }
  })
}

const fixed = (x, digits) => x === undefined ? '—' : x.toFixed(digits)

export function printSummary (rows, runs) {
  if (rows.length === 0) return
  const header = ['target', 'Cairn', 'baseline', 'ratio', 'runs', 'goal', 'floor', 'of floor', 'verdict', 'CPU']
  const table = rows.map((r) => [
    r.target,
    `${fixed(r.cairn, 1)} ${r.unit}`,
    `${fixed(r.baseline, 1)} (${r.against})`,
    fixed(r.ratio, 2),
    r.ratios.map((x) => x.toFixed(2)).join(' '),
    fixed(r.goal, 2),
    fixed(r.floor, 2),
    fixed(r.ofFloor, 2),
    r.verdict,
    r.cpu ?? ''
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)))
  const line = (cells) => '  ' + cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()
  console.log(`\n== targets: medians of ${runs} run(s) each (each column on its own); ratio: Cairn / baseline within each run, then their median`)
  console.log(line(header))
  for (const row of table) console.log(line(row))
  console.log('  * floor: the floor\'s own ratio to the baseline (the least work the target needs, measured in the same run), median of the runs; "of floor" = ratio / floor. Verdict "floor": the goal is above the floor, so out of reach here, and Cairn runs at >= goal of the floor instead; CPU: the last run\'s')
}
