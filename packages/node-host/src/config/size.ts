/** Strict parsing of human sizes such as `10GiB`, `500MB` or `1048576`. */
import { UsageError } from './errors.js'

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  kib: 2 ** 10,
  mb: 1e6,
  mib: 2 ** 20,
  gb: 1e9,
  gib: 2 ** 30,
  tb: 1e12,
  tib: 2 ** 40
}

const SIZE_PATTERN = /^(\d+(?:\.\d+)?)\s?([a-z]*)$/i

/**
 * Parse `text` into a whole number of bytes. Accepts a plain integer (bytes) or
 * a number followed by one of B, kB, KiB, MB, MiB, GB, GiB, TB, TiB (unit case
 * ignored). Rejects negatives, zero, empty strings, unknown units and results
 * beyond `Number.MAX_SAFE_INTEGER`.
 */
export function parseSize (text: string): number {
  const match = SIZE_PATTERN.exec(text.trim())
  if (match === null) throw new UsageError(`invalid size '${text}' (examples: 500MB, 10GiB)`)
  const [, amount = '', unit = ''] = match
  const factor = unit === '' ? 1 : UNITS[unit.toLowerCase()]
  if (factor === undefined) throw new UsageError(`unknown size unit '${unit}' in '${text}'`)
  if (unit === '' && amount.includes('.')) throw new UsageError(`invalid size '${text}': bytes must be whole`)
  const bytes = Math.floor(Number(amount) * factor)
  if (!Number.isSafeInteger(bytes) || bytes < 1) throw new UsageError(`invalid size '${text}'`)
  return bytes
}

/** Format bytes for people: `1.5 GiB`. */
export function formatSize (bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let i = 0
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024
    i++
  }
  return i === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[i]}`
}
