/**
 * Issue 10 item 3 with real processes: a host key only hosts hold (in the
 * data dir, in peer URLs) and a member token derived from it (in join URLs and
 * share links). A member cannot join as a host; `--peer <join URL>` is refused;
 * `--peer <peerUrl>` alone makes a host of the same mesh.
 */
import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { deriveMemberToken, parseFragment } from '@cairn/core'
import { afterAll, describe, expect, it } from 'vitest'
import { Cluster, waitFor, type HostProcess } from './harness.js'
import { hostKeyOf, rawAuthenticated } from './reliability/support/mesh.js'

/** Every way the host key could show in a URL. */
function expectNoHostKey (text: string, hostKey: string): void {
  expect(text).not.toContain(hostKey)
  expect(text).not.toContain(encodeURIComponent(hostKey))
  expect(text).not.toContain('host=')
}

describe('host key and member token', () => {
  const cluster = new Cluster()
  afterAll(async () => { await cluster.cleanup() })
  let a: HostProcess
  let hostKey: string

  it('a host keeps a host key (0600) and prints a peerUrl with it; its join URL and share links carry only the member token', async () => {
    a = await cluster.startHost()
    hostKey = hostKeyOf(a.peerUrl)
    expect(a.peerUrl).toBe(`${a.origin}/#host=${hostKey}`)
    expect((await readFile(join(a.data, 'host-key'), 'utf8')).trim()).toBe(hostKey)
    expect((await stat(join(a.data, 'host-key'))).mode & 0o777).toBe(0o600)
    const member = await deriveMemberToken(hostKey)
    expect(a.url).toBe(`${a.origin}/#join=${member}`)
    expectNoHostKey(a.url, hostKey)

    const src = join(await cluster.tempDir(), 'file.txt')
    await writeFile(src, 'a file shared with a member')
    const [put] = await cluster.json<{ link: string }>(['put', src, '--mesh', a.url])
    expectNoHostKey(put!.link, hostKey)
    const fragment = parseFragment(new URL(put!.link).hash)
    expect(Object.keys(fragment).sort()).toEqual(['file', 'join'])
    expect(fragment.join).toBe(member)
    // Local clients read the member token from the data dir, never the host key.
    expect((await readFile(join(a.data, 'token'), 'utf8')).trim()).toBe(member)
  })

  it('a member with a share link cannot join as a host (bad-host-key)', async () => {
    await expect(rawAuthenticated(a.url, { role: 'host' })).rejects.toMatchObject({ code: 'ERR_HANDSHAKE' })
    await waitFor('the refusal logged', async () => /claimed to be a host without the host key/.test(a.stderr()) ? true : undefined, { timeout: 10_000 })
    // With the host key it can.
    const host = await rawAuthenticated(a.url, { role: 'host', hostKey })
    host.conn.close()
  })

  it('cairn host --peer <join URL> is refused with exit 2 and says to use the peer URL', async () => {
    const refused = await cluster.cli(['host', '--port', '0', '--data', join(await cluster.tempDir(), 'd'), '--peer', a.url])
    expect(refused.code).toBe(2)
    expect(refused.stderr.toString()).toMatch(/a join URL lets in a tab or a client, not a host.*peer URL.*#host=/)
    expect(refused.stderr.toString()).not.toContain(a.url.split('#join=')[1]!)
  })

  it('cairn host --peer <peerUrl> alone joins as a host: it adopts the host key, and the mesh places blocks on it', async () => {
    const b = await cluster.startHost(['--peer', a.peerUrl])
    expect((await readFile(join(b.data, 'host-key'), 'utf8')).trim()).toBe(hostKey)
    expect(b.url.split('#')[1]).toBe(a.url.split('#')[1])
    const status = await waitFor('b is a host of a', async () => {
      const [s] = await cluster.json<{ peers: Array<{ peerId: string, role: string }>, storingHosts: number }>(['status', '--mesh', a.url])
      return s!.peers.some(p => p.peerId === b.peerId && p.role === 'host') ? s : undefined
    }, { timeout: 30_000 })
    expect(status.storingHosts).toBe(2)
  })
})
