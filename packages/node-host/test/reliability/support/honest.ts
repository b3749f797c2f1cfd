/** The honest client the hostile-traffic suites check after (or during) an attack. */
import { join } from 'node:path'
import { expect } from 'vitest'
import { randomFile, sha256File, type Cluster, type HostProcess } from '../../harness.js'

/** `cairn put` a fresh 2 MiB + 5 B file to `host`, `cairn get` it back, and check the bytes. */
export async function honestRoundTrip (cluster: Cluster, host: HostProcess, name: string): Promise<void> {
  const dir = await cluster.tempDir('cairn-honest-')
  const src = join(dir, `${name}.bin`)
  const digest = await randomFile(src, 2 * 1024 * 1024 + 5)
  const [put] = await cluster.json<{ link: string }>(['put', src, '--mesh', host.url])
  const out = join(dir, `${name}.out`)
  const got = await cluster.cli(['get', put!.link, '--mesh', host.url, '-o', out])
  expect(got.code, got.stderr).toBe(0)
  expect(await sha256File(out)).toBe(digest)
}
