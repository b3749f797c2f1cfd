import { afterEach, describe, expect, it } from 'vitest'
import type { BlockId } from '../block/id.js'
import type { BackgroundFailure } from './failures.js'
import { Auditor } from './audit.js'
import type { NodeContext, StoringHost } from './context.js'
import { placeBlock } from './placement.js'
import { resolveTuning } from './tuning.js'
import type { MeshNodeOptions } from './node.js'
import { MemoryBlockStore } from '../store/memory.js'
import { DroppingStore, fullMesh, makeBlock, nextEvent, rawConnect, RottenStore, sameBytes, TestMesh, until, HOST_KEY } from '../../test/support/mesh.js'
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

/**
 * One host that audits every claim (only in the passes a test runs), two that trust every
 * claim (as hosts do until their own sampled audit hits), and a liar that acks and drops;
 * 64 blocks put at R = 3. `mine`: the blocks the catcher holds and the liar claims, two real
 * copies each, the catcher's among them.
 */
async function catcherAndLiar (trustingOptions: Partial<MeshNodeOptions> = {}): Promise<{ catcher: TestNode, trusting: TestNode[], honest: TestNode[], liar: TestNode, mine: Array<{ cid: BlockId }> }> {
  mesh = new TestMesh()
  const liarStore = new DroppingStore()
  const catcher = await mesh.host({ ...AUDIT_ALL, repairDelay: 3_600_000, repairRetry: 3_600_000 })
  const trusting = [await mesh.host({ auditChance: 0, ...trustingOptions }), await mesh.host({ auditChance: 0, ...trustingOptions })]
  const liar = await mesh.host({ auditChance: 0, store: liarStore, autoDial: false })
  const honest = [catcher, ...trusting]
  await fullMesh([...honest, liar])
  const mine = []
  for (let seed = 1; seed <= 64; seed++) {
    const block = await makeBlock(3000, seed)
    expect(await trusting[0]!.node.putBlock(block.cid, block.bytes, { replicas: 3 })).toEqual({ copies: 3 })
    if (liarStore.claimed.has(block.cid.toString()) && await catcher.store!.has(block.cid)) mine.push(block)
  }
  expect(mine.length).toBeGreaterThan(0)
  for (const b of mine) expect(await honestCopies(honest, b.cid)).toBe(2)
  return { catcher, trusting, honest, liar, mine }
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
    const blocks: Array<Awaited<ReturnType<typeof makeBlock>>> = []
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

  it('a host that caught a liar repairs around it even when the liar is back and outranks it, and hosts that trust the liar would leave the block to it', async () => {
    const { catcher, honest, liar, mine } = await catcherAndLiar()
    // The catcher's pass audits the liar's claims and catches it.
    await catcher.node.repair()
    expect((await catcher.node.status()).backgroundFailures?.audit).toBeGreaterThan(0)
    // The liar comes back (gossip redials it); it is still distrusted, and still claims every block.
    await liar.node.dial(catcher.address)
    await until([catcher.node], ['peer:connect'], () => catcher.node.peers().some(p => p.peerId === liar.node.peerId))
    for (let pass = 0; pass < 3; pass++) for (const h of honest) await h.node.repair()
    const short = []
    for (const b of mine) if (await honestCopies(honest, b.cid) < 3) short.push(b.cid.toString())
    expect(short).toEqual([])
  })

  it('garbage collection proves the targets\' claims before it drops a copy: copies made around a liar stay', async () => {
    // The trusting hosts also collect garbage, with no grace (each pass run by the test).
    const { catcher, trusting, honest, mine } = await catcherAndLiar({ gcGrace: 0 })
    // The catcher copies each to a third honest host; the trusting hosts' GC, which counts the
    // liar as a target holding it, must not drop those copies again as surplus.
    const reclaimed: string[] = []
    for (const h of trusting) h.node.addEventListener('gc', e => { if ((e as CustomEvent<{ surplus: number }>).detail.surplus > 0) reclaimed.push(h.node.peerId) })
    for (let round = 0; round < 3; round++) {
      await catcher.node.repair()
      for (const h of trusting) await h.node.gc()
    }
    const short = []
    for (const b of mine) if (await honestCopies(honest, b.cid) < 3) short.push(b.cid.toString())
    expect(short).toEqual([])
    expect(reclaimed).toEqual([])
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

  it('a holder whose copy rotted answers the audit from the copy it fetches back, and keeps the auditor\'s trust', async () => {
    mesh = new TestMesh()
    const rotten = new RottenStore()
    const quiet = { repairDelay: 3_600_000, repairRetry: 3_600_000 }
    const auditor = await mesh.host({ ...AUDIT_ALL, ...quiet })
    const victim = await mesh.host({ ...quiet, auditChance: 0, store: rotten })
    const third = await mesh.host({ ...quiet, auditChance: 0 })
    await fullMesh([auditor, victim, third])
    const block = await makeBlock(3000, 1)
    expect(await auditor.node.putBlock(block.cid, block.bytes, { replicas: 3 })).toEqual({ copies: 3 })
    // The victim learns of the rot only when the audit reads its copy (a disk store hashes every read).
    rotten.rotten.add(block.cid.toString())
    const restored = nextEvent<{ cid: string }>(victim.node, 'block:restored')
    expect(await auditor.node.repair()).toMatchObject({ checked: 1, copied: 0, underReplicated: 0 })
    expect(await restored).toEqual({ cid: block.cid.toString() })
    expect(sameBytes(await rotten.get(block.cid), block.bytes)).toBe(true)
    expect((await auditor.node.status()).backgroundFailures?.audit).toBe(0)
    expect(auditor.node.peers().map(p => p.peerId)).toContain(victim.node.peerId)
    // Still counted as a holder in the next pass (a failed audit would leave it out for an hour).
    expect(await auditor.node.repair()).toMatchObject({ checked: 1, copied: 0, underReplicated: 0 })
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

describe('Auditor', () => {
  /** A node context with a store holding `blocks`, peers that fail every audit, and a mutable storing-host list. */
  function context (blocks: Array<{ cid: BlockId, bytes: Uint8Array }>, hosts: { list: StoringHost[] }): NodeContext {
    const store = new MemoryBlockStore()
    for (const b of blocks) void store.put(b.cid, b.bytes)
    const liar = { audit: async () => null, forfeit: () => { hosts.list = hosts.list.filter(h => h.peerId !== 'liar') } }
    return {
      peerId: 'self',
      store,
      tuning: resolveTuning({ auditChance: 1, auditsPerPass: 1000 }),
      peer: (id: string) => id === 'liar' ? liar : undefined,
      storingHosts: () => hosts.list,
      failed: () => {},
      reportCorrupt: () => {}
    } as unknown as NodeContext
  }

  it('keeps how a liar stood in placement from its first failure, when a second one finds it gone', async () => {
    const honest = ['self', 'a', 'b'].map(peerId => ({ peerId, weight: 1, full: false }))
    const hosts = { list: [...honest, { peerId: 'liar', weight: 1, full: false }] }
    const blocks = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map(async seed => await makeBlock(100, seed)))
    const auditor = new Auditor(context(blocks, hosts))
    auditor.startPass()
    // Two of its claims fail in one pass; after the first, it is closed and no longer listed.
    expect(await auditor.check(blocks[0]!.cid, new Set(['self', 'liar']), AbortSignal.timeout(5000))).toBe(true)
    expect(hosts.list.map(h => h.peerId)).not.toContain('liar')
    expect(await auditor.check(blocks[1]!.cid, new Set(['self', 'liar']), AbortSignal.timeout(5000))).toBe(true)
    // Hosts that still trust it place blocks on it: for each block where they would, this host knows it.
    const onLiar = blocks.filter(b => placeBlock(b.cid, [...honest, { peerId: 'liar', weight: 1, full: false }], 3).includes('liar'))
    expect(onLiar.length).toBeGreaterThan(0)
    for (const b of blocks) expect(auditor.misled(b.cid, 3, honest)).toBe(onLiar.includes(b))
  })

  it('confirm (GC) punishes only other bytes: a holder that dropped the block since the probe just keeps the copy here', async () => {
    const block = await makeBlock(100, 9)
    const store = new MemoryBlockStore()
    await store.put(block.cid, block.bytes)
    const forfeited: string[] = []
    const answers: Record<string, Uint8Array | null> = { gone: null, liar: new Uint8Array(64).fill(1) }
    const ctx = {
      peerId: 'self',
      store,
      tuning: resolveTuning({}),
      peer: (id: string) => ({ audit: async (_cid: BlockId, offset: number, length: number) => id === 'honest' ? block.bytes.subarray(offset, offset + length) : answers[id]?.subarray(0, length) ?? null, forfeit: () => { forfeited.push(id) } }),
      storingHosts: () => [],
      failed: () => {},
      reportCorrupt: () => {}
    } as unknown as NodeContext
    const auditor = new Auditor(ctx)
    const signal = AbortSignal.timeout(5000)
    expect(await auditor.confirm(block.cid, ['honest'], signal)).toBe(true)
    expect(await auditor.confirm(block.cid, ['honest', 'gone'], signal)).toBe(false)
    expect(forfeited).toEqual([])
    expect(auditor.distrusted('gone')).toBe(false)
    expect(await auditor.confirm(block.cid, ['liar', 'honest'], signal)).toBe(false)
    expect(forfeited).toEqual(['liar'])
    expect(auditor.distrusted('liar')).toBe(true)
  })
})
