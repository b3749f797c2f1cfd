/**
 * Issue item 5 — corruption. Three real host processes (R = 3); one bit of a
 * stored block is flipped on a running host's disk, in place.
 *  - detected on read: the next `want` for it finds the mismatch (not a scan);
 *  - never served: a client asking that host gets the right bytes (fetched
 *    from a replica) and a host asking it gets `dont-have` (or, if the host's own
 *    background work restored the block first, the right bytes), never the rotten bytes;
 *  - quarantined: the rotten file moves to `blocks/quarantine/`;
 *  - repaired: the host fetches the block back from a replica; it re-hashes, and `get` through that host is byte-identical;
 *  - no host loses another's trust over it (no failed replica audit).
 */
import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { blockId, parseBlockId } from '@cairn/core'
import type { Message } from '@cairn/core/wire'
import { Cluster, randomFile, sha256File, waitFor, type HostProcess } from '../harness.js'
import { flipBit, rehashes, scanBlocks, type BlockFile } from './support/disk.js'
import { hostKeyOf, rawAuthenticated, type RawPeer } from './support/mesh.js'
import { seededRandom } from './support/random.js'

interface Status { underReplicated: number, peers: Array<{ role: string }>, backgroundFailures?: Record<string, number> }

/** Ask for a block with a raw `want`; the assembled bytes, or the reply that ended it. */
async function want (raw: RawPeer, id: number, cid: string): Promise<Uint8Array | Message> {
  await raw.send({ t: 'want', id, cid: parseBlockId(cid).bytes })
  let bytes: Uint8Array | undefined
  for (;;) {
    const msg = await raw.nextMatching(m => 'id' in m && m.id === id)
    if (msg === undefined) throw new Error('connection closed before the reply')
    if (msg.t !== 'block') return msg
    bytes ??= new Uint8Array(msg.total)
    bytes.set(msg.data, msg.offset)
    if (msg.offset + msg.data.length === msg.total) return bytes
  }
}

describe('a bit flipped in a stored block', () => {
  const cluster = new Cluster()
  afterAll(async () => { await cluster.cleanup() })

  it('is detected on read, never served, quarantined, and repaired from a replica', async () => {
    const random = seededRandom('corruption')
    const a = await cluster.startHost()
    const b = await cluster.startHost(['--peer', a.peerUrl])
    const c = await cluster.startHost(['--peer', a.peerUrl])
    const status = async (h: HostProcess): Promise<Status> => (await cluster.json<Status>(['status', '--mesh', h.url]))[0]!
    for (const h of [a, b, c]) await waitFor('a full mesh', async () => (await status(h)).peers.filter(p => p.role === 'host').length === 2 ? true : undefined)
    const dir = await cluster.tempDir('cairn-src-')
    const src = join(dir, 'src.bin')
    const digest = await randomFile(src, 3 * 1024 * 1024 + 777)
    const [put] = await cluster.json<{ link: string, replicas: number }>(['put', src, '--mesh', a.url])
    expect(put!.replicas).toBe(3)

    const [onB] = (await scanBlocks(join(b.data, 'blocks'))).blocks
    const onC = (await scanBlocks(join(c.data, 'blocks'))).blocks.find(f => f.id !== onB!.id)!
    const bitB = random.int(onB!.size * 8)
    const bitC = random.int(onC.size * 8)
    await flipBit(onB!.path, bitB)
    await flipBit(onC.path, bitC)
    const rotten = new Uint8Array(await readFile(onB!.path))
    expect(await rehashes(onB!)).toBe(false)
    expect(await readdir(join(b.data, 'blocks', 'quarantine'))).toEqual([])

    // A client asking b: the right bytes (b fetched them from a replica), never the rotten ones.
    const client = await rawAuthenticated(b.url, { role: 'client' })
    const served = await want(client, 1, onB!.id)
    expect(served).toBeInstanceOf(Uint8Array)
    expect((await blockId(served as Uint8Array)).toString()).toBe(onB!.id)
    client.conn.close()
    // A host asking c: c does not fetch for other hosts, so `dont-have` — unless c's own
    // background work (a replica audit, a repair probe) read the block first, found it rotten
    // and already restored it from a replica; then the right bytes. Never the rotten ones.
    const peerHost = await rawAuthenticated(c.url, { role: 'host', hostKey: hostKeyOf(c.peerUrl) })
    const toHost = await want(peerHost, 1, onC.id)
    if (toHost instanceof Uint8Array) expect((await blockId(toHost)).toString()).toBe(onC.id)
    else expect(toHost).toMatchObject({ t: 'dont-have', id: 1 })
    peerHost.conn.close()

    // Quarantined with the rotten bytes, then restored from a replica.
    for (const [host, file, bytes] of [[b, onB!, rotten], [c, onC, undefined]] as Array<[HostProcess, BlockFile, Uint8Array | undefined]>) {
      const quarantined = await readdir(join(host.data, 'blocks', 'quarantine'))
      expect(quarantined).toHaveLength(1)
      expect(quarantined[0]!.startsWith(`${file.id}.`)).toBe(true)
      if (bytes !== undefined) expect(Buffer.from(await readFile(join(host.data, 'blocks', 'quarantine', quarantined[0]!))).equals(bytes)).toBe(true)
      await waitFor(`${file.id} restored`, async () => await rehashes(file).catch(() => false) ? true : undefined, { timeout: 60_000 })
    }

    const out = join(dir, 'out.bin')
    const got = await cluster.cli(['get', put!.link, '--mesh', b.url, '-o', out])
    expect(got.code).toBe(0)
    expect(await sha256File(out)).toBe(digest)
    for (const h of [b, c]) await waitFor('underReplicated 0', async () => (await status(h)).underReplicated === 0 ? true : undefined, { timeout: 60_000 })
    // Rot is not a lie: a host audited for a block it then found rotten answers from the copy it
    // fetched back, so no host lost another's trust (a failed audit leaves it out for an hour).
    for (const h of [a, b, c]) expect((await status(h)).backgroundFailures?.audit ?? 0).toBe(0)
    console.log(`corruption: flipped bit ${bitB} of a ${onB!.size}-byte block on b and bit ${bitC} of a ${onC.size}-byte block on c; both quarantined on read and restored`)
  }, 180_000)
})
