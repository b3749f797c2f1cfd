import { afterEach, describe, expect, it } from 'vitest'
import type { BlockId } from '../block/id.js'
import type { BackgroundFailure } from './failures.js'
import { DroppingStore, fullMesh, makeBlock, rawConnect, TestMesh, until, HOST_KEY } from '../../test/support/mesh.js'
import type { TestNode } from '../../test/support/mesh.js'

let mesh: TestMesh
afterEach(async () => { await mesh.stopAll() })

/** Every claim audited, so the test does not depend on sampling. */
const AUDIT_ALL = { auditChance: 1, auditsPerPass: 1000 }

async function honestCopies (hosts: TestNode[], cid: BlockId): Promise<number> {
  let copies = 0
  for (const host of hosts) if (await host.store!.has(cid)) copies++
  return copies
}

describe('replica audits (proof of storage)', () => {
  it('a host that acks blocks and drops them fails its audit, loses its strikes, and the blocks are re-replicated around it', async () => {
    mesh = new TestMesh()
    const liarStore = new DroppingStore()
    const honest = [await mesh.host(AUDIT_ALL), await mesh.host(AUDIT_ALL), await mesh.host(AUDIT_ALL)]
    const liar = await mesh.host({ ...AUDIT_ALL, store: liarStore, autoDial: false })
    await fullMesh([...honest, liar])
    const failures: BackgroundFailure[] = []
    for (const h of honest) h.node.addEventListener('background:failure', e => { failures.push((e as CustomEvent<BackgroundFailure>).detail) })

    // R = 3 over 4 hosts: the liar is a target of about three blocks in four, acks them, keeps none.
    const blocks = []
    for (let seed = 1; seed <= 8; seed++) {
      const block = await makeBlock(3000, seed)
      expect(await honest[0]!.node.putBlock(block.cid, block.bytes, { replicas: 3 })).toEqual({ copies: 3 })
      blocks.push(block)
    }
    // (Without audits these stay at 2 real copies for good: the liar's `have` counts as the third.)
    expect(blocks.filter(b => liarStore.claimed.has(b.cid.toString())).length).toBeGreaterThan(0)

    // Repair audits the liar's claims: it is cut off, and every block gets its third real copy.
    const nodes = honest.map(h => h.node)
    await until(nodes, ['repair', 'peer:disconnect', 'peer:connect'], async () => {
      for (const b of blocks) if (await honestCopies(honest, b.cid) < 3) return false
      return true
    }, 30_000)
    expect(failures.some(f => f.kind === 'audit' && f.code === 'ERR_AUDIT' && f.message.includes(liar.node.peerId))).toBe(true)
    const counted = await Promise.all(nodes.map(async n => (await n.status()).backgroundFailures?.audit ?? 0))
    expect(counted.reduce((a, b) => a + b, 0)).toBeGreaterThan(0)
    // Left out of placement: a new block goes to the three honest hosts only, even if the liar reconnects.
    const fresh = await makeBlock(3000, 99)
    expect(await honest[1]!.node.putBlock(fresh.cid, fresh.bytes, { replicas: 3 })).toEqual({ copies: 3 })
    expect(await honestCopies(honest, fresh.cid)).toBe(3)
    expect(liarStore.claimed.has(fresh.cid.toString())).toBe(false)
  })

  it('an honest holder passes its audits and stays connected', async () => {
    mesh = new TestMesh()
    const hosts = [await mesh.host(AUDIT_ALL), await mesh.host(AUDIT_ALL)]
    await fullMesh(hosts)
    for (let seed = 1; seed <= 4; seed++) {
      const block = await makeBlock(5000, seed)
      await hosts[0]!.node.putBlock(block.cid, block.bytes, { replicas: 2 })
    }
    for (const h of hosts) await h.node.repair()
    for (const h of hosts) {
      expect((await h.node.status()).backgroundFailures?.audit).toBe(0)
      expect(h.node.peers()).toHaveLength(1)
    }
  })

  it('answers an audit with the asked range of its own copy only; ranges are capped on the wire', async () => {
    mesh = new TestMesh()
    const host = await mesh.host()
    const block = await makeBlock(5000, 7)
    await host.store!.put(block.cid, block.bytes)
    const raw = await rawConnect(mesh, host.address, { role: 'host', hostKey: HOST_KEY })
    await raw.send({ t: 'audit', id: 1, cid: block.cid.bytes, offset: 4000, length: 64 })
    expect(await raw.nextMatching(m => m.t !== 'peers' && m.t !== 'have')).toEqual({ t: 'proof', id: 1, data: block.bytes.subarray(4000, 4064) })
    const other = await makeBlock(100, 8)
    await raw.send({ t: 'audit', id: 2, cid: other.cid.bytes, offset: 0, length: 10 })
    expect(await raw.nextMatching(m => m.t !== 'peers' && m.t !== 'have')).toEqual({ t: 'dont-have', id: 2 })
    await raw.send({ t: 'audit', id: 3, cid: block.cid.bytes, offset: 4990, length: 64 })
    expect(await raw.nextMatching(m => m.t !== 'peers' && m.t !== 'have')).toMatchObject({ t: 'error', id: 3, code: 'ERR_OUT_OF_RANGE' })
    const { encodeMessage } = await import('../wire/codec.js')
    expect(() => encodeMessage({ t: 'audit', id: 4, cid: block.cid.bytes, offset: 0, length: 1025 })).toThrow(/length is outside 1..1024/)
  })
})
