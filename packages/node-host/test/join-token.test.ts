/**
 * Issue 10 items 2 and 8 at the command line, with real processes: a chosen
 * join token must be strong unless `--weak-token`; the token can come from a
 * file or the environment instead of argv (where `ps` shows it), for hosts
 * and clients alike, and `--help` says so.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { deriveMemberToken } from '@cairn/core'
import { afterAll, describe, expect, it } from 'vitest'
import { Cluster, type HostProcess } from './harness.js'

const TOKEN = 'Xk3-9vQ_pL2mN8rT5wYz1a'

function tokenOf (host: HostProcess): string {
  return decodeURIComponent(new URL(host.url).hash.replace(/^#join=/, ''))
}

/** What `ps` shows for a process: its argv and, for other users, nothing of its environment. */
async function commandLine (pid: number): Promise<string> {
  return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').join(' ')
}

describe('join tokens at the command line', () => {
  const cluster = new Cluster()
  afterAll(async () => { await cluster.cleanup() })

  it('refuses a weak --token with exit 2 unless --weak-token', async () => {
    const data = await cluster.tempDir()
    const weak = await cluster.cli(['host', '--port', '0', '--data', data, '--token', 'hunter2'])
    expect(weak.code).toBe(2)
    expect(weak.stderr).toMatch(/too weak \(7 characters, at least 16 needed\).*--weak-token/)
    const hex = await cluster.cli(['host', '--port', '0', '--data', data, '--token', '0123456789abcdef'])
    expect(hex.code).toBe(2)
    expect(hex.stderr).toMatch(/about 64 bits, at least 80 needed/)
    const host = await cluster.startHost(['--token', 'hunter2', '--weak-token'])
    // A host's --token is its host key; its join URL carries the member token derived from it.
    expect(tokenOf(host)).toBe(await deriveMemberToken('hunter2'))
  })

  it('a host takes its token from --token-file or CAIRN_TOKEN, and it is not on its command line', async () => {
    const dir = await cluster.tempDir()
    const file = join(dir, 'token')
    await writeFile(file, `${TOKEN}\n`, { mode: 0o600 })
    const fromFile = await cluster.startHost(['--token-file', file])
    expect(tokenOf(fromFile)).toBe(await deriveMemberToken(TOKEN))
    expect(await commandLine(fromFile.pid)).not.toContain(TOKEN)

    const other = 'env-token-7Hq2LmZx9Rt4Wv'
    const fromEnv = await cluster.startHost([], { env: { CAIRN_TOKEN: other } })
    expect(tokenOf(fromEnv)).toBe(await deriveMemberToken(other))
    expect(await commandLine(fromEnv.pid)).not.toContain(other)

    // Clients: --mesh without #join=, the (member) token from a file or the environment.
    const bare = fromFile.origin
    const member = tokenOf(fromFile)
    const memberFile = join(dir, 'member-token')
    await writeFile(memberFile, `${member}\n`, { mode: 0o600 })
    const viaFile = await cluster.json<{ peerId: string }>(['status', '--mesh', bare, '--token-file', memberFile])
    expect(viaFile[0]!.peerId).toBe(fromFile.peerId)
    const viaEnv = await cluster.json<{ peerId: string }>(['status', '--mesh', bare], { env: { CAIRN_TOKEN: member } })
    expect(viaEnv[0]!.peerId).toBe(fromFile.peerId)
    // A token in the URL wins over the environment; a wrong one there still fails as a wrong token.
    const wrongInUrl = await cluster.cli(['status', '--mesh', `${bare}/#join=not-the-token-at-all`], { env: { CAIRN_TOKEN: member } })
    expect(wrongInUrl.code).toBe(4)
    // The host key is no member token: a client presenting it is refused.
    const hostKeyAsToken = await cluster.cli(['status', '--mesh', bare, '--token-file', file])
    expect(hostKeyAsToken.code).toBe(4)
    const missing = await cluster.cli(['status', '--mesh', bare, '--token-file', join(dir, 'nope')])
    expect(missing.code).toBe(7)
    expect(missing.stderr).toMatch(/cannot read --token-file .*nope: no such file/)
  })

  it('--help names --token-file and CAIRN_TOKEN, and warns that --token shows in ps', async () => {
    const top = await cluster.cli(['--help'])
    expect(top.stdout.toString()).toMatch(/CAIRN_TOKEN/)
    expect(top.stdout.toString()).toMatch(/ps/)
    const host = (await cluster.cli(['host', '--help'])).stdout.toString()
    expect(host).toMatch(/--token-file <path>/)
    expect(host).toMatch(/--weak-token/)
    expect(host).toMatch(/--allow-origin <origin>/)
    expect(host).toMatch(/shows in ps/)
    for (const command of ['put', 'get', 'status']) {
      const help = (await cluster.cli([command, '--help'])).stdout.toString()
      expect(help, command).toMatch(/--token-file <path>/)
      expect(help.replace(/\s+/g, ' '), command).toMatch(/\$CAIRN_TOKEN/)
    }
  })
})
