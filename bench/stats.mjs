// Statistics the bench sections share.

/** The median of the finite numbers in `values` (others are skipped); undefined if there are none. */
export function median (values) {
  const sorted = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b)
  if (sorted.length === 0) return undefined
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
