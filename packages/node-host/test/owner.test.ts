/**
 * Issue 13 with real hosts: owner removal (`cairn rm`) with the right,
 * wrong and missing secret, a host down during the removal that drops the
 * file when it comes back (also after every host that knew restarted), and
 * `cairn ls` from the history.
 */
import { stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Cluster, waitFor, type HostProcess } from './harness.js'

const cluster = new Cluster()
afterEach(async () => { await cluster.cleanup() })

interface Status { blocks: number, storingHosts: number, reclaimedBytes?: number }
interface Put { link: string, root: string, owner: string, size: number }

async function status (host: HostProcess): Promise<Status> {
  return (await cluster.json<Status>(['status', '--mesh', host.url]))[0]!
}

async function file (name: string, text: string): Promise<string> {
  const path = join(await cluster.tempDir(), name)
  await writeFile(path, text)
  return path
}

async function connected (hosts: HostProcess[]): Promise<void> {
  for (const h of hosts) await waitFor('every host connected', async () => (await status(h)).storingHosts === hosts.length ? true : undefined)
}

/** Hosts a, b, c (GC every second), all connected, and a file put at R = 3 by a user with history in `state`. */
async function threeHostsWithFile (): Promise<{ state: string, env: NodeJS.ProcessEnv, gc: string[], a: HostProcess, b: HostProcess, c: HostProcess, put: Put | undefined }> {
  const state = await cluster.tempDir('cairn-state-')
  const env = { CAIRN_STATE_DIR: state }
  const gc = ['--gc-interval', '1s']
  const a = await cluster.startHost(gc)
  const b = await cluster.startHost([...gc, '--peer', a.peerUrl])
  const c = await cluster.startHost([...gc, '--peer', a.peerUrl])
  await connected([a, b, c])
  const [put] = await cluster.json<Put>(['put', await file('doc.txt', 'owned bytes\n'), '--mesh', a.url, '--replicas', '3'], { env })
  return { state, env, gc, a, b, c, put }
}

describe('cairn rm (owner removal) and cairn ls', () => {
  it('a wrong or missing secret exits 4 and changes nothing; the owner\'s removes the file from every host, one that was down included', async () => {
    const { state, env, gc, a, b, c, put } = await threeHostsWithFile()
    expect(put!.owner).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const history = await stat(join(state, 'owned'))
    expect(history.mode & 0o777).toBe(0o600)
    const blocks = (await status(c)).blocks
    expect(blocks).toBeGreaterThan(0)

    // Another user (no history) without --owner, and anyone with a wrong one: exit 4, nothing removed.
    const missing = await cluster.cli(['rm', put!.link], { env: { CAIRN_STATE_DIR: await cluster.tempDir('cairn-other-') } })
    expect(missing.code).toBe(4)
    expect(missing.stderr).toMatch(/no owner secret/)
    const wrong = await cluster.cli(['rm', put!.link, '--owner', 'A'.repeat(43)], { env })
    expect(wrong.code).toBe(4)
    expect(wrong.stderr).toMatch(/does not match/)
    for (const h of [a, b, c]) expect((await status(h)).blocks).toBe(blocks)

    // c goes down; the owner removes the file (secret from the history).
    await cluster.kill(c)
    const rm = await cluster.cli(['rm', put!.link, '--mesh', a.url], { env })
    expect(rm.code).toBe(0)
    expect(rm.stdout.toString()).toBe(`removed ${put!.root}\n`)
    const gone = await cluster.cli(['get', put!.link, '--mesh', b.url])
    expect(gone.code).toBe(5)
    expect(gone.stderr).toMatch(/removed by its owner/)
    await waitFor('a and b to drop the blocks', async () => {
      const now = await Promise.all([a, b].map(status))
      return now.every(s => s.blocks === 0) ? true : undefined
    })

    // c comes back with its copies and drops them once it hears of the removal.
    const back = await cluster.startHost([...gc, '--peer', a.peerUrl], { data: c.data })
    await waitFor('the returning host to drop the blocks', async () => (await status(back)).blocks === 0 ? true : undefined, { timeout: 60_000 })
    expect((await status(back)).reclaimedBytes).toBeGreaterThan(0)
    expect(back.stderr()).toMatch(/gc reclaimed \d+ blocks?, .*\(0 expired, \d+ deleted, 0 surplus\)/)
    for (const h of [a, b]) expect((await status(h)).blocks).toBe(0)
  })

  it('a restart keeps tombstones: a host down during the removal drops the file even if every host that knew restarted', async () => {
    const { env, gc, a, b, c, put } = await threeHostsWithFile()
    const blocks = (await status(c)).blocks
    expect(blocks).toBeGreaterThan(0)

    await cluster.kill(c)
    expect((await cluster.cli(['rm', put!.link, '--mesh', a.url], { env })).code).toBe(0)
    await waitFor('a and b to drop the blocks', async () => {
      const now = await Promise.all([a, b].map(status))
      return now.every(s => s.blocks === 0) ? true : undefined
    })

    // Every host that knew of the removal restarts (same data dirs) before c comes back.
    await cluster.kill(a)
    await cluster.kill(b)
    const a2 = await cluster.startHost(gc, { data: a.data })
    const b2 = await cluster.startHost([...gc, '--peer', a2.peerUrl], { data: b.data })
    await connected([a2, b2])
    const back = await cluster.startHost([...gc, '--peer', a2.peerUrl], { data: c.data })
    await waitFor('the returning host to drop the blocks', async () => (await status(back)).blocks === 0 ? true : undefined, { timeout: 60_000 })
    expect(back.stderr()).toMatch(/gc reclaimed \d+ blocks?, .*\(0 expired, \d+ deleted, 0 surplus\)/)
    for (const h of [a2, b2]) expect((await status(h)).blocks).toBe(0)
    expect((await stat(join(a.data, 'tombstones.json'))).mode & 0o777).toBe(0o600)
  }, 180_000)

  it('ls lists the files this user added: size, expiry, copies now, link; rm drops a file from the list', async () => {
    const state = await cluster.tempDir('cairn-state-')
    const env = { CAIRN_STATE_DIR: state }
    const a = await cluster.startHost()
    const b = await cluster.startHost(['--peer', a.peerUrl])
    await connected([a, b])
    const [one] = await cluster.json<Put>(['put', await file('one.txt', 'first\n'), '--mesh', a.url, '--expires', '2h'], { env })
    const [two] = await cluster.json<Put>(['put', await file('two.txt', 'second file\n'), '--mesh', a.url, '--replicas', '1'], { env })
    const listed = await cluster.json<{ name: string, size: number, link: string, expires: string | null, replicas: number, target: number }>(['ls', '--mesh', a.url], { env })
    expect(listed).toHaveLength(2)
    expect(listed[0]).toMatchObject({ name: 'one.txt', size: 6, link: one!.link, replicas: 2, target: 3 })
    expect(Date.parse(listed[0]!.expires!) - Date.now()).toBeGreaterThan(3_500_000)
    expect(listed[1]).toMatchObject({ name: 'two.txt', size: 12, link: two!.link, expires: null, replicas: 1, target: 1 })
    const human = await cluster.cli(['ls', '--mesh', a.url], { env })
    expect(human.code).toBe(0)
    expect(human.stdout.toString()).toMatch(/^one\.txt {2}6 B {2}2\/3 copies {2}expires \S+ {2}http:\S+$/m)
    expect(human.stdout.toString()).toMatch(/^two\.txt {2}12 B {2}1\/1 copies {2}never expires {2}http:\S+$/m)
    expect((await cluster.cli(['rm', one!.link], { env })).code).toBe(0)
    const after = await cluster.json<{ name: string }>(['ls', '--mesh', a.url], { env })
    expect(after.map(f => f.name)).toEqual(['two.txt'])
    // Another user's history is empty.
    const other = await cluster.cli(['ls', '--mesh', a.url], { env: { CAIRN_STATE_DIR: await cluster.tempDir('cairn-other-') } })
    expect(other).toMatchObject({ code: 0, stdout: expect.anything() })
    expect(other.stdout.toString()).toBe('')
  })
})
