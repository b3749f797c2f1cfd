/**
 * Replica health as the CLI reports it, one definition everywhere: copies now
 * against the target R, counted the same way on every host and seconds old.
 * `put` warns when it reached the write quorum but not R; `status` reports
 * R and the live storing hosts, and warns while blocks are below R.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Cluster, waitFor, type HostProcess } from './harness.js'

const cluster = new Cluster()
afterEach(async () => { await cluster.cleanup() })

interface Status { blocks: number, underReplicated: number, replicas: number, storingHosts: number, peers: Array<{ role: string }> }

/** How long a host may take to count blocks it just stored. */
const FRESH_MS = 5_000

async function status (host: HostProcess): Promise<Status> {
  return (await cluster.json<Status>(['status', '--mesh', host.url]))[0]!
}

async function smallFile (name = 'f.txt'): Promise<string> {
  const file = join(await cluster.tempDir(), name)
  await writeFile(file, 'some bytes\n')
  return file
}

describe('replica health', () => {
  it('one host with R = 3: put warns it reached 1 of 3 copies, status counts every block under R within seconds', async () => {
    const host = await cluster.startHost()
    const file = await smallFile()
    const put = await cluster.cli(['put', file, '--mesh', host.url])
    expect(put.code).toBe(0)
    expect(put.stdout.toString()).toMatch(/^http:\/\/\S+#join=\S+&file=\S+\n$/)
    expect(put.stderr).toBe('cairn: warning: f.txt: stored with 1 of 3 copies (only 1 storing host is live)\n')
    const [json] = await cluster.json<{ replicas: number, target: number }>(['put', file, '--mesh', host.url])
    expect(json).toMatchObject({ replicas: 1, target: 3 })
    const five = await cluster.cli(['put', file, '--mesh', host.url, '--replicas', '5'])
    expect(five.code).toBe(0)
    expect(five.stderr).toMatch(/^cairn: warning: f\.txt: stored with 1 of 5 copies/)

    const started = Date.now()
    const counted = await waitFor('the host to count its blocks', async () => {
      const s = await status(host)
      return s.blocks > 0 && s.underReplicated === s.blocks ? s : undefined
    }, { timeout: 30_000 })
    expect(Date.now() - started).toBeLessThan(FRESH_MS)
    expect(counted).toMatchObject({ replicas: 3, storingHosts: 1 })
    const human = await cluster.cli(['status', '--mesh', host.url])
    expect(human.code).toBe(0)
    expect(human.stdout.toString()).toMatch(/^replicas +target 3, 1 storing host live$/m)
    expect(human.stdout.toString()).toMatch(new RegExp(`^under-replicated +${counted.blocks} of ${counted.blocks} blocks have fewer than 3 copies$`, 'm'))
    expect(human.stderr).toBe(`cairn: warning: ${counted.blocks} blocks have fewer than 3 copies (only 1 storing host is live)\n`)
  })

  it('two hosts holding the same blocks report the same count within seconds of a put', async () => {
    const a = await cluster.startHost()
    const b = await cluster.startHost(['--peer', a.peerUrl])
    await waitFor('a and b connected', async () => (await status(a)).storingHosts === 2 ? true : undefined)
    const put = await cluster.cli(['put', await smallFile(), '--mesh', a.url])
    expect(put.code).toBe(0)
    expect(put.stderr).toBe('cairn: warning: f.txt: stored with 2 of 3 copies (only 2 storing hosts are live)\n')
    const started = Date.now()
    const both = await waitFor('both hosts to count every block', async () => {
      const [sa, sb] = [await status(a), await status(b)]
      return sa.blocks > 0 && sa.underReplicated === sa.blocks && sb.underReplicated === sa.blocks ? [sa, sb] : undefined
    }, { timeout: 30_000 })
    expect(Date.now() - started).toBeLessThan(FRESH_MS)
    for (const s of both) expect(s).toMatchObject({ blocks: both[0]!.blocks, replicas: 3, storingHosts: 2 })
  })

  it('a put that reaches R prints no warning, and status shows none', async () => {
    const a = await cluster.startHost(['--replicas', '2'])
    await cluster.startHost(['--peer', a.peerUrl, '--replicas', '2'])
    await waitFor('a and b connected', async () => (await status(a)).storingHosts === 2 ? true : undefined)
    const put = await cluster.cli(['put', await smallFile(), '--mesh', a.url])
    expect(put).toMatchObject({ code: 0, stderr: '' })
    const s = await waitFor('a to count its blocks', async () => { const s = await status(a); return s.blocks > 0 ? s : undefined })
    expect(s).toMatchObject({ replicas: 2, storingHosts: 2, underReplicated: 0 })
    expect((await cluster.cli(['status', '--mesh', a.url])).stderr).toBe('')
  })
})
