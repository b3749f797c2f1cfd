/**
 * Log lines about one thing (an address, an origin) at most once per
 * `interval`; the next line says how many were held back. An attacker can
 * make a host refuse thousands of sockets a second, but not fill its log.
 */
export class ThrottledLog {
  private readonly seen = new Map<string, { at: number, held: number }>()

  constructor (
    private readonly write: ((line: string) => void) | undefined,
    private readonly interval = 10_000,
    private readonly maxKeys = 1024,
    private readonly now: () => number = Date.now
  ) {}

  note (key: string, line: string): void {
    if (this.write === undefined) return
    const now = this.now()
    const entry = this.seen.get(key)
    if (entry !== undefined && now - entry.at < this.interval) {
      entry.held++
      return
    }
    this.seen.delete(key)
    this.seen.set(key, { at: now, held: 0 })
    if (this.seen.size > this.maxKeys) this.seen.delete(this.seen.keys().next().value as string)
    const held = entry === undefined || entry.held === 0 ? '' : ` (and ${entry.held} more since the last such line)`
    this.write(`${line}${held}`)
  }
}
