/* Helpers for the mesh tests: a memory network of nodes, raw wire peers, blocks. */
import { blockId, equalBytes } from '../../src/block/id.js'
import type { BlockId } from '../../src/block/id.js'
import type { BlockStore } from '../../src/store/block-store.js'
import { MemoryBlockStore } from '../../src/store/memory.js'
import { IntegrityError } from '../../src/errors.js'
import type { Connection } from '../../src/transport/connection.js'
import { MemoryNetwork } from '../../src/transport/memory-network.js'
import { decodeMessage, encodeMessage } from '../../src/wire/codec.js'
import type { Message, Role } from '../../src/wire/messages.js'
import type { Identity } from '../../src/mesh/api.js'
import { runHandshake } from '../../src/mesh/handshake.js'
import { generateIdentity } from '../../src/mesh/identity.js'
import { NonceCache } from '../../src/mesh/nonces.js'
import { MeshNode } from '../../src/mesh/node.js'
import type { MeshNodeOptions } from '../../src/mesh/node.js'
import { deriveJoinKey } from '../../src/mesh/transcript.js'
import { deriveHostSecrets, deriveMemberToken } from '../../src/mesh/host-key.js'

/** The test mesh's host key, and its member token (the join token tabs and clients hold). */
export const HOST_KEY = 'test-host-key'
export const TOKEN = await deriveMemberToken(HOST_KEY)

/** Test tuning: no periodic timers, quick gossip. */
export const FAST = { repairInterval: 0, pingInterval: 0, gossipDelay: 1, repairDelay: 5, repairRetry: 5 }

export interface TestNode {
  node: MeshNode
  store: MemoryBlockStore | undefined
  address: string
}

export class TestMesh {
  readonly net: MemoryNetwork
  readonly nodes: MeshNode[] = []
  private readonly unlisten: Array<() => void> = []
  private count = 0

  /** `network` sets frame size and buffering of every connection (default: the memory transport's). */
  constructor (network: ConstructorParameters<typeof MemoryNetwork>[0] = {}) {
    this.net = new MemoryNetwork(network)
  }

  async host (options: Partial<MeshNodeOptions> & { store?: BlockStore | undefined, noStore?: boolean } = {}): Promise<TestNode> {
    return await this.add('host', options)
  }

  async add (role: Role, options: Partial<MeshNodeOptions> & { noStore?: boolean } = {}): Promise<TestNode> {
    const address = `memory://${role}-${++this.count}`
    const store = options.noStore === true ? undefined : (options.store as MemoryBlockStore | undefined) ?? (role === 'client' ? undefined : new MemoryBlockStore())
    const node = new MeshNode({
      identity: await generateIdentity(),
      role,
      transports: [this.net.transport({ localAddress: address })],
      joinToken: TOKEN,
      ...(role === 'host' ? { hostKey: HOST_KEY } : {}),
      listenAddrs: role === 'host' ? [address] : [],
      ...FAST,
      ...options,
      store
    })
    if (role === 'host') this.unlisten.push(this.net.listen(address, conn => { node.accept(conn).catch(() => {}) }))
    this.nodes.push(node)
    await node.start()
    return { node, store: store as MemoryBlockStore | undefined, address }
  }

  async stopAll (): Promise<void> {
    for (const stop of this.unlisten.splice(0)) stop()
    await Promise.all(this.nodes.splice(0).map(async node => { await node.stop() }))
  }
}

/** Resolve once `check()` holds, re-checking on each of `events` from `targets`. */
export async function until (targets: EventTarget[], events: string[], check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const signal = AbortSignal.timeout(ms)
  if (await check()) return
  await new Promise<void>((resolve, reject) => {
    const cleanup = (): void => {
      for (const t of targets) for (const e of events) t.removeEventListener(e, onEvent)
      signal.removeEventListener('abort', onAbort)
    }
    const onEvent = (): void => {
      void Promise.resolve(check()).then(done => {
        if (!done) return
        cleanup()
        resolve()
      }, err => { cleanup(); reject(err) })
    }
    const onAbort = (): void => { cleanup(); reject(new Error(`condition not met within ${ms} ms`)) }
    for (const t of targets) for (const e of events) t.addEventListener(e, onEvent)
    signal.addEventListener('abort', onAbort)
  })
}

/** Resolve once `check()` holds, polling (for state no event reports, e.g. a connection closing). */
export async function waitFor (check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = performance.now() + ms
  while (!await check()) {
    if (performance.now() > deadline) throw new Error(`condition not met within ${ms} ms`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}

/** Resolve with the detail of the next `type` event matching `match`. */
export async function nextEvent<T> (target: EventTarget, type: string, match: (detail: T) => boolean = () => true, ms = 10_000): Promise<T> {
  const signal = AbortSignal.timeout(ms)
  return await new Promise<T>((resolve, reject) => {
    const onEvent = (event: Event): void => {
      const detail = (event as CustomEvent<T>).detail
      if (!match(detail)) return
      target.removeEventListener(type, onEvent)
      resolve(detail)
    }
    target.addEventListener(type, onEvent)
    signal.addEventListener('abort', () => {
      target.removeEventListener(type, onEvent)
      reject(new Error(`no ${type} event within ${ms} ms`))
    })
  })
}

export async function makeBlock (size: number, seed: number): Promise<{ cid: BlockId, bytes: Uint8Array }> {
  const bytes = new Uint8Array(size)
  let x = (seed * 2654435761) >>> 0 || 1
  for (let i = 0; i < size; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0
    bytes[i] = x & 0xff
  }
  return { cid: await blockId(bytes), bytes }
}

/** A peer driven frame by frame from a test. */
export class RawPeer {
  readonly conn: Connection
  readonly frames: AsyncIterator<Uint8Array>
  constructor (conn: Connection) {
    this.conn = conn
    this.frames = conn[Symbol.asyncIterator]()
  }

  async send (msg: Message): Promise<void> {
    await this.conn.send(encodeMessage(msg))
  }

  /** The next frame, decoded; undefined once the connection ended. */
  async next (): Promise<Message | undefined> {
    const next = await this.frames.next()
    return next.done === true ? undefined : decodeMessage(next.value)
  }

  /** Read frames until one matches (undefined if the connection ends first). */
  async nextMatching (match: (msg: Message) => boolean): Promise<Message | undefined> {
    for (;;) {
      const msg = await this.next()
      if (msg === undefined || match(msg)) return msg
    }
  }
}

export interface RawInit {
  role?: Role
  identity?: Identity
  token?: string
  /** Prove this host key (a raw `host`); absent: none proved. */
  hostKey?: string
  /** Addresses in its hello (default none). */
  addrs?: string[]
  /** Whether its hello says it keeps blocks (default true, as a hello without `stores` means). */
  stores?: boolean
}

/** Dial `address` and complete a real handshake by hand; the test then speaks raw frames. */
export async function rawConnect (mesh: TestMesh, address: string, init: RawInit = {}): Promise<RawPeer & { identity: Identity }> {
  return await rawHandshake(await mesh.net.transport().dial(address), init)
}

/** Complete a real handshake by hand as initiator on `conn`. */
export async function rawHandshake (conn: Connection, init: RawInit = {}): Promise<RawPeer & { identity: Identity }> {
  const identity = init.identity ?? await generateIdentity()
  const raw = new RawPeer(conn)
  await runHandshake({
    conn,
    frames: raw.frames,
    identity,
    role: init.role ?? 'browser',
    addrs: init.addrs ?? [],
    stores: init.stores ?? true,
    joinKey: await deriveJoinKey(init.token ?? TOKEN),
    ...(init.hostKey === undefined ? { unprovenHosts: true } : { hostProofKey: (await deriveHostSecrets(init.hostKey)).proofKey }),
    initiator: true,
    nonces: new NonceCache(),
    peersMessage: () => ({ t: 'peers', peers: [] })
  })
  return Object.assign(raw, { identity })
}

/** Connect every host to the first; gossip and autoDial complete the mesh. */
export async function fullMesh (hosts: TestNode[]): Promise<void> {
  const [first, ...rest] = hosts
  for (const host of rest) await host.node.dial(first!.address)
  const nodes = hosts.map(h => h.node)
  await until(nodes, ['peer:connect', 'peer:disconnect'], () => nodes.every(n => n.peers().filter(p => p.role === 'host').length === hosts.length - 1))
}

/** A store that answers `get` with one byte flipped: a peer that lies. */
export class LyingStore extends MemoryBlockStore {
  override async get (id: BlockId): Promise<Uint8Array> {
    const bytes = await super.get(id)
    bytes[0]! ^= 0xff
    return bytes
  }
}

/** A store whose copy of some blocks fails verification on read, as a disk store's would. */
export class RottenStore extends MemoryBlockStore {
  readonly rotten = new Set<string>()
  override async get (id: BlockId): Promise<Uint8Array> {
    if (this.rotten.has(id.toString())) {
      this.rotten.delete(id.toString())
      await this.delete(id)
      throw new IntegrityError(`block ${id.toString()}: hash mismatch`)
    }
    return await super.get(id)
  }
}

/** A store whose `get` waits until `open()`; `reads` resolves at the first waiting read. */
export class GatedStore extends MemoryBlockStore {
  private gate: Promise<void>
  private release!: () => void
  private signalRead!: () => void
  readonly reads: Promise<void>
  waiting = 0

  constructor () {
    super()
    this.gate = new Promise(resolve => { this.release = resolve })
    this.reads = new Promise(resolve => { this.signalRead = resolve })
  }

  override async get (id: BlockId): Promise<Uint8Array> {
    this.waiting++
    this.signalRead()
    await this.gate
    return await super.get(id)
  }

  open (): void {
    this.release()
  }
}

/** Byte equality without vitest's slow element-wise diff of large arrays. */
export function sameBytes (a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && equalBytes(a, b)
}

/** `conn` as a node sees it with a different frame limit (the peer may still send more). */
export function withMaxFrameSize (conn: Connection, maxFrameSize: number): Connection {
  return {
    maxFrameSize,
    remoteAddress: conn.remoteAddress,
    transport: conn.transport,
    closed: conn.closed,
    stats: conn.stats,
    send: async frame => { await conn.send(frame) },
    close: reason => { conn.close(reason) },
    [Symbol.asyncIterator]: () => conn[Symbol.asyncIterator]()
  }
}

/**
 * A host's store that acknowledges every put and then drops the block, yet
 * keeps claiming it (`has` is true): a host that silently loses data.
 */
export class DroppingStore extends MemoryBlockStore {
  readonly claimed = new Set<string>()
  override async put (id: BlockId, bytes: Uint8Array): Promise<void> {
    this.claimed.add(id.toString())
  }

  override async has (id: BlockId): Promise<boolean> {
    return this.claimed.has(id.toString())
  }
}
