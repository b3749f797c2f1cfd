/** Strict parsing of expiry times: durations such as `90s`, `12h`, `7d`, and ISO-8601 instants. */
import { UsageError } from './errors.js'

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }
const DURATION_PATTERN = /^(\d{1,9})([smhd])$/
/** A date, optionally a time with seconds, fractions and a zone: what `Date.parse` reads the same everywhere. */
const ISO_PATTERN = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/

/** `90s`, `45m`, `12h`, `7d` → milliseconds. Rejects zero, other units, fractions and spaces. */
export function parseDuration (text: string): number {
  const match = DURATION_PATTERN.exec(text.trim())
  if (match === null) throw new UsageError(`invalid duration '${text}' (examples: 90s, 45m, 12h, 7d)`)
  const ms = Number(match[1]) * UNITS[match[2]!]!
  if (ms < 1_000) throw new UsageError(`invalid duration '${text}': must be at least 1s`)
  return ms
}

/**
 * An ISO-8601 instant (`2026-12-24T18:00:00Z`, `2026-12-24T18:00+01:00`, or a
 * date, meaning its midnight UTC) → ms since the epoch. A time must say its zone.
 */
export function parseInstant (text: string): number {
  if (!ISO_PATTERN.test(text.trim())) throw new UsageError(`invalid time '${text}' (ISO-8601 with a zone, e.g. 2026-12-24T18:00:00Z)`)
  const ms = Date.parse(text.trim())
  if (!Number.isFinite(ms)) throw new UsageError(`invalid time '${text}'`)
  return ms
}

/** The expiry of `put --expires/--expires-at`, checked to be in the future. */
export function expiryFrom (options: { expires?: number, expiresAt?: number }, now = Date.now()): number | undefined {
  if (options.expires !== undefined && options.expiresAt !== undefined) throw new UsageError('give --expires or --expires-at, not both')
  const at = options.expiresAt ?? (options.expires === undefined ? undefined : now + options.expires)
  if (at !== undefined && at <= now) throw new UsageError(`--expires-at ${new Date(at).toISOString()} is not in the future`)
  return at
}
