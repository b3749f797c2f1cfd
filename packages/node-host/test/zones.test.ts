/**
 * `cairn host --zone/--max-storage/--repair-rate` as a user meets them: bad
 * values are usage errors; the zone and quota show in `status`. (Placement by
 * zone across real hosts: core `mesh/zones.test.ts`.)
 */
import { afterEach, describe, expect, it } from 'vitest'
import { Cluster } from './harness.js'

const cluster = new Cluster()
afterEach(async () => { await cluster.cleanup() })

describe('cairn host --zone', () => {
  it('refuses a zone the wire cannot carry and a bad repair rate, exit 2', async () => {
    const data = await cluster.tempDir()
    for (const args of [['--zone', 'room 1'], ['--zone', 'z'.repeat(65)], ['--repair-rate', 'fast']]) {
      const result = await cluster.cli(['host', '--port', '0', '--data', data, ...args], { timeout: 15_000 })
      expect(result.code).toBe(2)
      expect(result.stderr).toMatch(/^cairn: [^\n]*(--zone|--repair-rate)[^\n]*\n$/)
    }
  })

  it('shows the zone, the quota and whether it is full in status', async () => {
    const host = await cluster.startHost(['--zone', 'rack-1', '--max-storage', '1MiB', '--repair-rate', '4MiB'])
    const [status] = await cluster.json<{ zone: string, capacity: number, full: boolean }>(['status', '--mesh', host.url])
    expect(status).toMatchObject({ zone: 'rack-1', capacity: 1024 * 1024, full: false })
    const human = await cluster.cli(['status', '--mesh', host.url])
    expect(human.stdout.toString()).toMatch(/zone +rack-1/)
    expect(human.stdout.toString()).toMatch(/0 B of 1(\.0+)? MiB\)/)
  })
})
