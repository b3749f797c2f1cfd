// The floor under `cairn put` R=3 for bench/hosts.mjs: a replicated durable write of a
// file with plain `ws` on loopback and none of Cairn. The client sends the file in 1 MiB
// blocks, at most WINDOW unacknowledged; each host stores every block the way an
// FsBlockStore.put does on disk (below), forwards it to its --forward hosts, and
// acknowledges it once it is stored and every host it forwarded to acknowledged it.
// Which hosts the client sends to and each host forwards to is the topology
// (raw-replicated-runs.mjs: fan-out, direct, chain).
//
//   node bench/raw-replicated.mjs host DIR [--forward PORT,...] [--verify] [--no-sync]  prints {"port":P}; runs until SIGTERM
//   node bench/raw-replicated.mjs client FILE PORT,... [--verify] [--window N] prints {"bytes":N,"ms":T} once all acknowledged
//
// --verify: the client seals each block (AES-128-GCM, then SHA-256 of the result, its id)
// and each host hashes it (SHA-256) before storing, as Cairn verifies every block.
// --no-sync: hosts skip every fsync (as FsBlockStore with durable: false), to see what durability costs.
import { createCipheriv, createHash, randomBytes } from 'node:crypto'
import { createReadStream, statSync } from 'node:fs'
import { once } from 'node:events'
import { mkdir, open, rename, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { WebSocket, WebSocketServer } from 'ws'

const MiB = 1024 * 1024
const SOCKET_OPTIONS = { perMessageDeflate: false, maxPayload: 2 * MiB }
/** Blocks in flight, as core's DEFAULT_PUT_CONCURRENCY. */
const DEFAULT_WINDOW = 8
/** FsBlockStore shards by the id's last 2 base-32 characters: 1024 directories. */
const SHARDS = 1024
/** A block record as small as Cairn's ({ replicas }: a few bytes; MAX_RECORD_SIZE is 96). */
const RECORD = new Uint8Array(16)

/** One WebSocket on which every message sent is acknowledged by its index ("i" as text), in any order. */
class Link {
  constructor (ws) {
    this.ws = ws
    this.sent = 0
    this.waiting = new Map()
    ws.on('message', data => {
      const i = Number(data.toString())
      this.waiting.get(i)?.resolve()
      this.waiting.delete(i)
    })
    const fail = (error) => {
      for (const { reject } of this.waiting.values()) reject(error)
      this.waiting.clear()
    }
    ws.on('error', fail)
    ws.on('close', () => fail(new Error('link closed')))
  }

  /** Send one block; resolves when the other side acknowledges it. */
  send (bytes) {
    const i = this.sent++
    return new Promise((resolve, reject) => {
      this.waiting.set(i, { resolve, reject })
      this.ws.send(bytes, { binary: true })
    })
  }
}

async function connect (port) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, SOCKET_OPTIONS)
  await once(ws, 'open')
  return new Link(ws)
}

/** Write a file as FsBlockStore's writeAtomic does: temp opened 'wx', written, fsynced, closed, renamed. */
async function writeAtomic (tmp, final, bytes, durable) {
  const fh = await open(tmp, 'wx', 0o644)
  await fh.writeFile(bytes)
  if (durable) await fh.sync()
  await fh.close()
  await rename(tmp, final)
}

async function syncDir (dir) {
  const fh = await open(dir, 'r')
  await fh.sync()
  await fh.close()
}

/**
 * Stores blocks in `dir` with the file operations of FsBlockStore.put for a new block
 * with a record: stat (not held yet), the shard made (mkdir + root fsync) the first time,
 * the record then the block written atomically, the shard directory fsynced.
 */
function blockStore (dir, verify, durable) {
  const shards = new Set()
  let temps = 0
  return async function put (bytes, index) {
    const digest = verify ? createHash('sha256').update(bytes).digest() : undefined
    const name = digest?.toString('hex') ?? `block-${index}`
    const shardIndex = digest === undefined ? Math.imul(index, 2654435761) >>> 22 : digest.readUInt16BE(30) % SHARDS
    const shard = join(dir, shardIndex.toString(32).padStart(2, '0'))
    const path = join(shard, name)
    await stat(path).then(() => { throw new Error(`${path} is held already`) }, (err) => { if (err.code !== 'ENOENT') throw err })
    if (!shards.has(shard)) {
      await mkdir(shard, { recursive: true })
      if (durable) await syncDir(dir)
      shards.add(shard)
    }
    await writeAtomic(join(shard, `.tmp-${temps++}`), `${path}.rec`, RECORD, durable)
    await writeAtomic(join(shard, `.tmp-${temps++}`), path, bytes, durable)
    if (durable) await syncDir(shard)
  }
}

async function host (dir, forwardPorts, verify, durable) {
  await mkdir(dir, { recursive: true })
  const put = blockStore(dir, verify, durable)
  const downstream = await Promise.all(forwardPorts.map(connect))
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, ...SOCKET_OPTIONS })
  await once(wss, 'listening')
  wss.on('connection', ws => {
    let received = 0
    ws.on('message', data => {
      const index = received++
      Promise.all([put(data, index), ...downstream.map(link => link.send(data))]).then(
        () => ws.send(String(index)),
        (error) => { console.error(error); process.exit(1) }
      )
    })
  })
  process.on('SIGTERM', () => process.exit(0))
  console.log(JSON.stringify({ port: wss.address().port }))
}

/** What the client does to a block before sending it: nothing, or seal and name it (--verify). */
function sealer (verify) {
  if (!verify) return (chunk) => chunk
  const key = randomBytes(16)
  const iv = Buffer.alloc(12)
  return (chunk, index) => {
    iv.writeUInt32BE(index, 8)
    const cipher = createCipheriv('aes-128-gcm', key, iv)
    const sealed = Buffer.concat([cipher.update(chunk), cipher.final(), cipher.getAuthTag()])
    createHash('sha256').update(sealed).digest()
    return sealed
  }
}

async function client (file, ports, verify, window) {
  const bytes = statSync(file).size
  const links = await Promise.all(ports.map(connect))
  const seal = sealer(verify)
  const started = performance.now()
  const inFlight = new Set()
  let index = 0
  for await (const chunk of createReadStream(file, { highWaterMark: MiB })) {
    const block = seal(chunk, index++)
    const acked = Promise.all(links.map(link => link.send(block)))
    inFlight.add(acked)
    acked.then(() => inFlight.delete(acked), () => {})
    while (inFlight.size >= window) await Promise.race(inFlight)
  }
  await Promise.all(inFlight)
  const ms = performance.now() - started
  console.log(JSON.stringify({ bytes, blocks: index, ms }))
  for (const link of links) link.ws.close()
}

function option (args, name, fallback) {
  const i = args.indexOf(name)
  return i === -1 ? fallback : args[i + 1]
}

const ports = (text) => text.split(',').filter(Boolean).map(Number)
const [mode, ...args] = process.argv.slice(2)
const verify = args.includes('--verify')
if (mode === 'host') await host(args[0], ports(option(args, '--forward', '')), verify, !args.includes('--no-sync'))
else if (mode === 'client') await client(args[0], ports(args[1]), verify, Number(option(args, '--window', DEFAULT_WINDOW)))
else {
  console.error('usage: raw-replicated.mjs host DIR [--forward PORT,...] [--verify] [--no-sync] | client FILE PORT,... [--verify] [--window N]')
  process.exit(2)
}
