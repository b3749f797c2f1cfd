/**
 * A link's origin is a hint: when the host that made it is gone, `get` falls
 * back to the local host and to the hosts it remembers, of the same mesh, and
 * says which it used. `--mesh` is explicit and never falls back.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Cluster, waitFor, type HostProcess } from './harness.js'

const cluster = new Cluster()
afterEach(async () => { await cluster.cleanup() })

async function hostCount (host: HostProcess): Promise<number> {
  const [status] = await cluster.json<{ peers: Array<{ role: string }> }>(['status', '--mesh', host.url])
  return status!.peers.filter(p => p.role === 'host').length
}

async function putThrough (host: HostProcess, text: string): Promise<string> {
  const file = join(await cluster.tempDir(), 'note.txt')
  await writeFile(file, text)
  const [put] = await cluster.json<{ link: string, replicas: number }>(['put', file, '--mesh', host.url])
  return put!.link
}

describe('get <link> when the link\'s host is gone', () => {
  it('fetches through the local host of the same mesh, and says so', async () => {
    const a = await cluster.startHost()
    const b = await cluster.startHost(['--peer', a.peerUrl])
    await waitFor('a and b connected', async () => await hostCount(b) === 1 ? true : undefined)
    const link = await putThrough(a, 'kept on both hosts\n')
    await cluster.kill(a)

    const got = await cluster.cli(['get', link, '--data', b.data])
    expect(got.code).toBe(0)
    expect(got.stdout.toString()).toBe('kept on both hosts\n')
    expect(got.stderr).toBe(`cairn: cannot reach the mesh at ${a.origin}: cannot connect to ws://127.0.0.1:${a.port}/mesh; ` +
      `using the local host ${b.origin} instead\n`)

    // --mesh is explicit: no fallback.
    const explicit = await cluster.cli(['get', link, '--data', b.data, '--mesh', a.url])
    expect(explicit.code).toBe(3)
    expect(explicit.stderr).toMatch(/^cairn: cannot reach the mesh at [^\n]+\n$/)
  })

  it('with no local host running, fetches through a host the data dir remembers', async () => {
    const a = await cluster.startHost()
    const b = await cluster.startHost(['--peer', a.peerUrl])
    const c = await cluster.startHost(['--peer', a.peerUrl])
    await waitFor('a full mesh', async () => await hostCount(b) === 2 ? true : undefined)
    const link = await putThrough(a, 'kept on three hosts\n')
    await cluster.kill(a)
    b.child.kill('SIGTERM')
    expect((await b.exited).code).toBe(0)

    const got = await cluster.cli(['get', link, '--data', b.data])
    expect(got.code).toBe(0)
    expect(got.stdout.toString()).toBe('kept on three hosts\n')
    expect(got.stderr).toMatch(new RegExp(`^cairn: cannot reach the mesh at ${a.origin}: [^\\n]+; using a host of this mesh ${c.origin} instead\\n$`))

    await cluster.kill(c)
    const none = await cluster.cli(['get', link, '--data', b.data])
    expect(none.code).toBe(3)
    expect(none.stderr).toMatch(new RegExp(`^cairn: cannot reach the mesh at ${a.origin}: [^\\n]+; the other host of this mesh did not answer either\\n$`))
  })

  it('does not try a local host of another mesh', async () => {
    const a = await cluster.startHost()
    const link = await putThrough(a, 'x')
    const other = await cluster.startHost()
    await cluster.kill(a)
    const got = await cluster.cli(['get', link, '--data', other.data])
    expect(got.code).toBe(3)
    expect(got.stderr).toBe(`cairn: cannot reach the mesh at ${a.origin}: cannot connect to ws://127.0.0.1:${a.port}/mesh\n`)
  })
})
