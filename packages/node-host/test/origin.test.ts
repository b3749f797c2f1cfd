/**
 * Issue 10 item 4 — which web pages may open a real host's `/mesh`. Browsers
 * send `Origin` with every WebSocket upgrade, and any page a user visits could
 * otherwise open ws://127.0.0.1:4001/mesh. Node clients send none.
 * (In Chromium: e2e/specs/security-origin.spec.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Cluster, type HostProcess } from './harness.js'
import { RawWebSocket } from './reliability/support/raw-ws.js'
import { dialRawFrom, rawAuthenticated } from './reliability/support/mesh.js'
import { rawHandshake } from '../../core/test/support/mesh.js'

const ALLOWED = 'https://cairn.example.org'

describe('Origin of /mesh upgrades', () => {
  const cluster = new Cluster()
  let host: HostProcess

  beforeAll(async () => { host = await cluster.startHost(['--allow-origin', ALLOWED]) }, 60_000)
  afterAll(async () => { await cluster.cleanup() })

  async function upgrade (headers: Record<string, string>): Promise<string> {
    try {
      const ws = await RawWebSocket.open(host.port, { headers })
      ws.destroy()
      return '101'
    } catch (err) {
      return String(err).replace(/^.*upgrade refused: HTTP\/1\.1 /, '')
    }
  }

  it('refuses pages of other sites (403), also under a rebound DNS name, and logs it', async () => {
    expect(await upgrade({ Origin: 'https://evil.example' })).toBe('403 Forbidden')
    expect(await upgrade({ Origin: `http://127.0.0.1:${host.port + 1}` })).toBe('403 Forbidden')
    expect(await upgrade({ Origin: 'null' })).toBe('403 Forbidden')
    // DNS rebinding: evil.example resolves to 127.0.0.1, so Origin and Host agree, but on a name that is not ours.
    expect(await upgrade({ Origin: `http://evil.example:${host.port}`, Host: `evil.example:${host.port}` })).toBe('403 Forbidden')
    await expect(dialRawFrom(host.url, { origin: 'https://evil.example' })).rejects.toThrow(/403/)
    expect(host.stderr()).toMatch(/refused a mesh connection from a page on https:\/\/evil\.example: not this host's origin \(allow it with --allow-origin https:\/\/evil\.example\)/)
  })

  it('lets in the host\'s own pages, --allow-origin pages, and clients that send no Origin', async () => {
    expect(await upgrade({ Origin: host.origin })).toBe('101')
    expect(await upgrade({ Origin: `http://localhost:${host.port}`, Host: `localhost:${host.port}` })).toBe('101')
    expect(await upgrade({ Origin: ALLOWED })).toBe('101')
    expect(await upgrade({})).toBe('101')
    // And the whole handshake goes through for a page of the host's own origin.
    const page = await dialRawFrom(host.url, { origin: host.origin })
    const token = new URL(host.url).hash.replace(/^#join=/, '')
    // rawHandshake resolves only once the host's `peers` arrived: it verified us and let us in.
    const raw = await rawHandshake(page.conn, { token, role: 'browser' })
    expect(raw.conn.transport).toBe('websocket')
    raw.conn.close()
    const node = await rawAuthenticated(host.url)
    node.conn.close()
  })
})
