/**
 * What a host tells before and during a join (issue 9, first run): `/info`
 * says whether the bare host URL needs a join link (and nothing else), and
 * `--name` (default: the hostname) reaches the other peers in the hello.
 */
import { hostname } from 'node:os'
import type { PeerStatus } from '@cairn/core'
import { afterEach, describe, expect, it } from 'vitest'
import { Cluster, waitFor, type CliResult } from './harness.js'

const cluster = new Cluster()
afterEach(async () => { await cluster.cleanup() })

function usageError (result: CliResult, reason: RegExp): void {
  expect(result.code).toBe(2)
  expect(result.stderr).toMatch(/^cairn: [^\n]+\n$/)
  expect(result.stderr).toMatch(reason)
}

describe('GET /info', () => {
  it('says a join link is needed on a host with a token, and not on an --open host', async () => {
    const closed = await cluster.startHost()
    const open = await cluster.startHost(['--open'])
    const info = await fetch(`${closed.origin}/info`)
    expect(info.status).toBe(200)
    expect(info.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(info.headers.get('cache-control')).toBe('no-cache')
    const body = await info.text()
    expect(JSON.parse(body)).toEqual({ app: 'cairn', joinTokenRequired: true })
    // Nothing that would help a stranger join: no token, no peer ids.
    expect(body).not.toContain(closed.url.split('#join=')[1]!)
    expect(body).not.toContain(closed.peerId)
    expect(await (await fetch(`${open.origin}/info`)).json()).toEqual({ app: 'cairn', joinTokenRequired: false })
    expect((await fetch(`${open.origin}/info`, { method: 'POST' })).status).toBe(405)
  })
})

describe('cairn host --name', () => {
  it('is shown to the other peers; without it the hostname is', async () => {
    const a = await cluster.startHost(['--name', '  Shelf   in the hall '])
    await cluster.startHost(['--peer', a.peerUrl])
    const status = await waitFor('both hosts connected', async () => {
      const [s] = await cluster.json<{ peers: PeerStatus[] }>(['status', '--mesh', a.url])
      return s!.peers.some(p => p.role === 'host') ? s : undefined
    })
    const peerHost = status!.peers.find(p => p.role === 'host')!
    expect(peerHost.name).toBe(hostname().slice(0, 64))
    const b = await cluster.startHost(['--peer', a.peerUrl, '--name', 'attic'])
    const fromB = await waitFor('b sees a', async () => {
      const [s] = await cluster.json<{ peers: PeerStatus[] }>(['status', '--mesh', b.url])
      return s!.peers.find(p => p.peerId === a.peerId)
    })
    expect(fromB.name).toBe('Shelf in the hall')
    const human = await cluster.cli(['status', '--mesh', b.url])
    expect(human.stdout.toString()).toMatch(/Shelf in the hall/)
  })

  it('rejects a name that is empty, too long or has control characters', async () => {
    const data = await cluster.tempDir()
    const host = async (name: string): Promise<CliResult> =>
      await cluster.cli(['host', '--port', '0', '--data', data, '--name', name], { timeout: 15_000 })
    usageError(await host(' \t '), /--name.*printable/)
    usageError(await host('x'.repeat(65)), /--name.*at most 64/)
    usageError(await host('bell\u0007'), /--name.*control characters/)
  })
})
