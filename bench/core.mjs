// Bench section "core": the add and read pipelines of @cairn/core (built, from
// packages/core/dist) over an in-memory block store, against the limit in the
// same run: one pass of AES-128-GCM and one pass of SHA-256 over the same
// number of bytes, in large (16 MiB) calls. With the node provider (the
// default: node:crypto on the calling thread, what hosts and the CLI run) or
// the pool provider (node:crypto over a worker per core, the CLI's
// CAIRN_CRYPTO_THREADS) the limit is OpenSSL's on one thread; with
// --provider webcrypto (what browsers run) both are Web Crypto's. Prints one JSON line on stdout; progress goes
// to stderr.
//
//   npm run build && node bench/core.mjs [--size 256MiB|1GiB] [--rounds N] [--provider node|pool|webcrypto]
//
// It runs N rounds (default 3, 1 above 512 MiB) and reports each ratio as
// the median of the rounds, each against its own round's limit. Round 1 is a
// fresh process: its store faults in pages the process never had, and so do later
// rounds (freed memory goes back to the kernel): a cost the bench counts per round
// (page faults) and prices on its own, in fresh processes (`firstTouch`).
//
// Targets: each pipeline >= 70% of its limit; peak RSS minus the bytes the
// memory store holds (the pipeline's own overhead, Node's baseline included)
// < 150 MiB.
import { spawnSync } from 'node:child_process'
import { createCipheriv, createDecipheriv, createHash, randomFillSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { loadavg } from 'node:os'
import { addFile, readFile } from '@cairn/core'
import { CHUNK_SIZE, ChunkCipher, cryptoProvider, setCryptoProvider } from '@cairn/core/crypto'
import { MemoryBlockStore } from '@cairn/core/testing'
import { NODE_FLAGS, createCryptoPool, nodeCryptoProvider } from '@cairn/node-host'
import { median } from './stats.mjs'

const MiB = 1024 * 1024
const TARGETS = { ratio: 0.7, overheadMiB: 150 }
const LIMIT_CALL = 16 * MiB
const PIECE = MiB

function parseSize (argv) {
  const i = argv.indexOf('--size')
  const text = i === -1 ? '256MiB' : argv[i + 1] ?? ''
  const m = /^(\d+)\s*(MiB|GiB)?$/i.exec(text)
  if (m === null) throw new Error(`--size: expected e.g. 256MiB or 1GiB, got '${text}'`)
  return Number(m[1]) * ((m[2] ?? 'MiB').toLowerCase() === 'gib' ? 1024 * MiB : MiB)
}

const size = parseSize(process.argv.slice(2))
const roundsAt = process.argv.indexOf('--rounds')
const rounds = roundsAt === -1 ? (size > 512 * MiB ? 1 : 3) : Number(process.argv[roundsAt + 1])
const providerAt = process.argv.indexOf('--provider')
const providerName = providerAt === -1 ? 'node' : process.argv[providerAt + 1]
if (!['pool', 'node', 'webcrypto'].includes(providerName)) throw new Error(`--provider: pool, node or webcrypto, got '${providerName}'`)

/**
 * With node:crypto the pipelines run as hosts and the CLI run them: with the V8 flags every
 * `cairn` process has (NODE_FLAGS: a 64 MiB old-space floor; without it V8 runs a full
 * mark-compact every few MiB of ArrayBuffers, 13 instead of 5 per 256 MiB added, and the
 * pipelines cost ~30 % more CPU). CAIRN_BENCH_NODE_FLAGS replaces them ('' for none), as in
 * hosts.mjs. The bench re-runs itself once with them.
 */
const benchFlags = process.env.CAIRN_BENCH_NODE_FLAGS === undefined ? [...NODE_FLAGS] : process.env.CAIRN_BENCH_NODE_FLAGS.split(' ').filter(Boolean)
// --expose-gc: between rounds the bench collects the previous round's store, so each round
// starts with it freed (not the pipelines' flag: it changes nothing while they run).
const nodeFlags = [...(providerName === 'webcrypto' ? [] : benchFlags), '--expose-gc']
if (nodeFlags.some(flag => !process.execArgv.includes(flag))) {
  const child = spawnSync(process.execPath, [...process.execArgv, ...nodeFlags, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' })
  process.exit(child.status ?? 1)
}
if (providerName === 'node') setCryptoProvider(nodeCryptoProvider)
if (providerName === 'pool') setCryptoProvider(createCryptoPool())
const startLoad = loadavg().map((x) => x.toFixed(2)).join(' ')
const log = (text) => process.stderr.write(`core: ${text}\n`)
const mb = (bytes, ms) => +(bytes / 1e6 / (ms / 1000)).toFixed(1)
const mib = (bytes) => Math.round(bytes / MiB)

/** CPU time of the whole process (every thread: main, Web Crypto's, GC's) so far, in ms. */
function cpuMs () {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1000
}

/** Peak resident set size so far (VmHWM), in bytes. */
function peakRss () {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))
  return m === null ? process.resourceUsage().maxRSS * 1024 : Number(m[1]) * 1024
}

/** Samples RSS while `fn` runs, so each phase gets its own peak. */
async function sampled (fn) {
  let peak = process.memoryUsage.rss()
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()) }, 20)
  const start = performance.now()
  const cpu0 = cpuMs()
  const faults0 = process.resourceUsage().minorPageFault
  try {
    const result = await fn()
    return {
      result, ms: performance.now() - start, cpu: cpuMs() - cpu0, faults: process.resourceUsage().minorPageFault - faults0, peak: Math.max(peak, process.memoryUsage.rss())
    }
  } finally {
    clearInterval(timer)
  }
}

/** Order-sensitive checksum over 32-bit words (cheap next to AES and SHA-256). */
function checksum (state, bytes) {
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 2)
  let { a, b } = state
  for (let i = 0; i < words.length; i++) {
    a = (a + words[i]) | 0
    b = (b + a) | 0
  }
  for (let i = words.length * 4; i < bytes.length; i++) {
    a = (a + bytes[i]) | 0
    b = (b + a) | 0
  }
  state.a = a
  state.b = b
}

/**
 * `size` pseudo-random bytes in 1 MiB pieces: views of one random pool at
 * offsets that differ piece to piece. Nothing is allocated, copied or written
 * per piece, so the clock measures the pipeline, not the data generator (a
 * fresh 1 MiB copy per piece costs the main thread ~0.6 ms/MiB here, about a
 * third of the limit's whole budget). Pieces are never modified after they are
 * yielded, as addFile requires.
 */
const pool = randomFillSync(new Uint8Array(4 * MiB))
function * pieces () {
  for (let offset = 0, n = 0; offset < size; offset += PIECE, n++) {
    const start = 4 * ((n * 104_729) % ((pool.length - PIECE) / 4)) // word-aligned, for checksum()
    yield pool.subarray(start, start + Math.min(PIECE, size - offset))
  }
}
async function * plaintext () {
  yield * pieces()
}

/** The checksum of what plaintext() yields, computed off the clock. */
function expectedChecksum () {
  const state = { a: 0, b: 0 }
  for (const piece of pieces()) checksum(state, piece)
  return state
}

/** One pass of AES-128-GCM (encrypt, decrypt) and of SHA-256 in 16 MiB calls: OpenSSL through node:crypto. */
const openssl = {
  async prepare () { return { key: randomFillSync(new Uint8Array(16)) } },
  async encrypt ({ key }, iv, data) {
    const cipher = createCipheriv('aes-128-gcm', key, iv)
    const body = cipher.update(data)
    cipher.final()
    return { body, tag: cipher.getAuthTag() }
  },
  async decrypt ({ key }, iv, sealed) {
    const decipher = createDecipheriv('aes-128-gcm', key, iv)
    decipher.setAuthTag(sealed.tag)
    decipher.update(sealed.body)
    decipher.final()
  },
  async sha256 (data) { createHash('sha256').update(data).digest() }
}

/** The same through Web Crypto (what browsers have). */
const webcrypto = {
  async prepare () { return { key: await crypto.subtle.generateKey({ name: 'AES-GCM', length: 128 }, false, ['encrypt', 'decrypt']) } },
  async encrypt ({ key }, iv, data) { return await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, data) },
  async decrypt ({ key }, iv, sealed) { await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, key, sealed) },
  async sha256 (data) { await crypto.subtle.digest('SHA-256', data) }
}

const primitives = providerName === 'webcrypto' ? webcrypto : openssl

async function limits () {
  const state = await primitives.prepare()
  const data = randomFillSync(new Uint8Array(LIMIT_CALL))
  const iv = new Uint8Array(12)
  const calls = Math.max(1, Math.round(size / LIMIT_CALL))
  const bytes = calls * LIMIT_CALL
  let sealed
  const cpu = {}
  const pass = async (name, fn) => {
    const cpu0 = cpuMs()
    const ms = await timed(fn)
    cpu[name] = (cpuMs() - cpu0) / (bytes / MiB)
    return ms
  }
  const enc = await pass('encrypt', async () => {
    for (let i = 0; i < calls; i++) sealed = await primitives.encrypt(state, iv, data)
  })
  const dec = await pass('decrypt', async () => {
    for (let i = 0; i < calls; i++) await primitives.decrypt(state, iv, sealed)
  })
  const sha = await pass('sha256', async () => {
    for (let i = 0; i < calls; i++) await primitives.sha256(data)
  })
  return { encrypt: mb(bytes, enc), decrypt: mb(bytes, dec), sha256: mb(bytes, sha), cpu }
}

/**
 * Not the limit, but where the pipelines' gap to it comes from: Cobblestone
 * needs one Web Crypto call per 16 KiB chunk (64 in flight, as ChunkCipher.sealMany).
 */
async function chunkedEncrypt () {
  const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 128 }, false, ['encrypt'])
  const data = randomFillSync(new Uint8Array(MiB))
  const iv = new Uint8Array(12)
  const chunks = Array.from({ length: 64 }, (_, j) => data.subarray(j * 16384, (j + 1) * 16384))
  const ms = await timed(async () => {
    for (let done = 0; done < size; done += MiB) {
      await Promise.all(chunks.map(async (chunk) => await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, chunk)))
    }
  })
  return mb(size, ms)
}

/**
 * The crypto each pipeline must do, and nothing else: block by block, through
 * core's ChunkCipher and the installed provider (64 AES-GCM chunks, then
 * SHA-256 of the sealed block; open: SHA-256, then 64 chunks), one block at a
 * time, no source, store, window or manifest. Against the one-pass limit it
 * is what Cobblestone's 16 KiB chunks cost through this platform's crypto API
 * (the floor the pipelines can reach); the pipelines against it are their own
 * overhead.
 */
async function cryptoOnly () {
  const provider = cryptoProvider()
  const cipher = await ChunkCipher.fromRaw(randomFillSync(new Uint8Array(16)), new Uint8Array(12))
  const data = randomFillSync(new Uint8Array(MiB))
  const chunks = Array.from({ length: MiB / CHUNK_SIZE }, (_, j) => data.subarray(j * CHUNK_SIZE, (j + 1) * CHUNK_SIZE))
  const sealed = new Uint8Array(MiB + chunks.length * 16)
  const opened = new Uint8Array(MiB)
  const blocks = size / MiB
  const cpu = {}
  const pass = async (name, fn) => {
    const cpu0 = cpuMs()
    const ms = await timed(fn)
    cpu[name] = (cpuMs() - cpu0) / blocks
    return ms
  }
  const add = await pass('add', async () => {
    for (let b = 0; b < blocks; b++) {
      await cipher.sealInto(b * chunks.length, chunks, sealed)
      await provider.sha256(sealed)
    }
  })
  const lastSealed = (blocks - 1) * chunks.length // the block the add pass left in `sealed`
  const read = await pass('read', async () => {
    for (let b = 0; b < blocks; b++) {
      await provider.sha256(sealed)
      await cipher.openRun(lastSealed, sealed, opened)
    }
  })
  return { add: mb(size, add), read: mb(size, read), cpu }
}

async function timed (fn) {
  const start = performance.now()
  await fn()
  return performance.now() - start
}

/** Rate of doing both passes one after the other. */
const serial = (x, y) => +(1 / (1 / x + 1 / y)).toFixed(1)

/** Where file byte `at` comes from in the pool (see pieces()). */
function poolByte (at) {
  const n = Math.floor(at / PIECE)
  return pool[4 * ((n * 104_729) % ((pool.length - PIECE) / 4)) + at - n * PIECE]
}

/**
 * One add into a fresh memory store; one read back checked by checksum of
 * every byte (readFile's defaults: every part a buffer of its own); one read
 * back timed as `cairn get` reads (`recycle: true`: a few plaintext buffers
 * reused, each part consumed before the next is asked for), its consumer only
 * counting bytes and checking the first and last byte of each part against
 * the source (the limit does nothing with its output either, and a JS
 * checksum of every byte costs ~0.3 ms/MiB: a third of the read limit's
 * budget); then an add into a sink that keeps nothing.
 */
async function pipelines () {
  const store = new MemoryBlockStore()
  const written = expectedChecksum()
  const get = async (id, options) => await store.get(id, options)
  log(`add ${mib(size)} MiB into a memory store`)
  const add = await sampled(async () => await addFile(plaintext(), { name: 'bench.bin' }, store))
  const held = (await store.stats()).bytes
  log(`add: ${mb(size, add.ms)} MB/s; read it back, checking every byte`)
  const readBack = { a: 0, b: 0 }
  const checked = await sampled(async () => {
    let bytes = 0
    for await (const part of readFile(add.result.link, get)) {
      checksum(readBack, part)
      bytes += part.length
    }
    return bytes
  })
  if (checked.result !== size || readBack.a !== written.a || readBack.b !== written.b) {
    throw new Error(`read back ${checked.result} bytes, checksum ${readBack.a}/${readBack.b}; wrote ${size}, ${written.a}/${written.b}`)
  }
  log(`checked read: ${mb(size, checked.ms)} MB/s; read it again, timed`)
  const read = await sampled(async () => {
    let bytes = 0
    for await (const part of readFile(add.result.link, get, { recycle: true })) {
      if (part.length > 0 && (part[0] !== poolByte(bytes) || part[part.length - 1] !== poolByte(bytes + part.length - 1))) {
        throw new Error(`read: wrong bytes in the part at ${bytes}`)
      }
      bytes += part.length
    }
    return bytes
  })
  if (read.result !== size) throw new Error(`read ${read.result} bytes, wrote ${size}`)
  log(`read: ${mb(size, read.ms)} MB/s; add again into a sink that keeps nothing`)
  const discard = await sampled(async () => await addFile(plaintext(), { name: 'bench.bin' }, { put: async () => {} }))
  return { add, read, checked, held, discard, blocks: add.result.blocks }
}

/**
 * What holding the sealed blocks costs a fresh process on this machine: in a
 * child process that never had the memory, allocate `blocks` sealed-block
 * buffers as the add pipeline does (MiB + 64 tags each), write every byte and
 * keep them all, as the memory store keeps the blocks it is given. Wall ms
 * and minor page faults per MiB, the median of 3 children: nearly all of it is
 * the kernel's cost of first touch, so ms / faults is the price of one fault.
 */
function firstTouch (blocks) {
  const script = `const t = performance.now(); const f = process.resourceUsage().minorPageFault; const keep = []
for (let i = 0; i < ${blocks}; i++) { const b = new Uint8Array(${MiB + (MiB / CHUNK_SIZE) * 16}); b.fill(1); keep.push(b) }
process.stdout.write(JSON.stringify([(performance.now() - t) / ${blocks}, (process.resourceUsage().minorPageFault - f) / ${blocks}]))`
  const samples = [0, 1, 2].map(() => {
    const child = spawnSync(process.execPath, [...process.execArgv, '-e', script], { encoding: 'utf8' })
    if (child.status !== 0) throw new Error(`firstTouch child failed: ${child.stderr}`)
    return JSON.parse(child.stdout)
  })
  const ms = median(samples.map(([ms]) => ms))
  const faults = median(samples.map(([, faults]) => faults))
  return { ms, faults, msPerFault: ms / faults }
}

const mean = (x, y) => x === undefined ? y : (x + y) / 2

const baseline = process.memoryUsage.rss()
const runs = []
for (let round = 1; round <= rounds; round++) {
  // The machine is shared: sample the limit right before and right after the
  // pipelines, and compare each round's pipelines with that round's limit.
  // Round 1 runs the pipelines first, in a clean process, for the RSS figures.
  log(`round ${round}/${rounds}`)
  globalThis.gc() // drop the previous round's store before this round's limits and pipelines
  const before = round === 1 ? undefined : await limits()
  const measured = await pipelines()
  log(`round ${round}/${rounds}: limits (${providerName}: AES-128-GCM and SHA-256, ${LIMIT_CALL / MiB} MiB calls)`)
  const after = await limits()
  const floor = await cryptoOnly()
  const limit = {
    encrypt: +mean(before?.encrypt, after.encrypt).toFixed(1), decrypt: +mean(before?.decrypt, after.decrypt).toFixed(1), sha256: +mean(before?.sha256, after.sha256).toFixed(1)
  }
  const limitAdd = serial(limit.encrypt, limit.sha256)
  const limitRead = serial(limit.decrypt, limit.sha256)
  const rates = { add: mb(size, measured.add.ms), read: mb(size, measured.read.ms), readChecked: mb(size, measured.checked.ms), addNoStore: mb(size, measured.discard.ms) }
  const cpuOf = (name) => mean(before?.cpu[name], after.cpu[name])
  const perMiB = (ms) => ms / (size / MiB)
  const cpu = {
    add: perMiB(measured.add.cpu),
    read: perMiB(measured.read.cpu),
    limitAdd: cpuOf('encrypt') + cpuOf('sha256'),
    limitRead: cpuOf('decrypt') + cpuOf('sha256'),
    cryptoOnlyAdd: floor.cpu.add,
    cryptoOnlyRead: floor.cpu.read
  }
  runs.push({
    ...measured,
    limit: { ...limit, limitAdd, limitRead, cryptoOnlyAdd: floor.add, cryptoOnlyRead: floor.read },
    rates,
    cpu,
    ratios: { add: rates.add / limitAdd, read: rates.read / limitRead, readChecked: rates.readChecked / limitRead, addNoStore: rates.addNoStore / limitAdd },
    floors: { add: floor.add / limitAdd, read: floor.read / limitRead },
    ofFloor: { add: rates.add / floor.add, read: rates.read / floor.read }
  })
}
const chunked = await chunkedEncrypt()
const blocks = runs[0].blocks
const touch = firstTouch(blocks)
const med = (of) => median(runs.map(of))
const round3 = (x) => +x.toFixed(3)
const ratioNames = ['add', 'read', 'readChecked', 'addNoStore']
const ratios = Object.fromEntries(ratioNames.map((m) => [m, round3(med((r) => r.ratios[m]))]))
const roundRatios = Object.fromEntries(ratioNames.map((m) => [m, runs.map((r) => round3(r.ratios[m]))]))
const rates = Object.fromEntries(ratioNames.map((m) => [m, +med((r) => r.rates[m]).toFixed(1)]))
const limits_ = Object.fromEntries(
  [['limitAdd', 'limitAdd'], ['limitRead', 'limitRead'], ['cryptoOnlyAdd', 'cryptoOnlyAdd'], ['cryptoOnlyRead', 'cryptoOnlyRead'], ['aesGcmEncrypt', 'encrypt'], ['aesGcmDecrypt', 'decrypt'], ['sha256', 'sha256']]
    .map(([name, key]) => [name, +med((r) => r.limit[key]).toFixed(1)]))
// CPU per MiB of every thread of the process, mean over the rounds: unlike
// wall time, it barely depends on what else the machine runs.
const cpuMean = (m) => +(runs.reduce((sum, r) => sum + r.cpu[m], 0) / runs.length).toFixed(2)
const cpuMsPerMiB = Object.fromEntries(['add', 'read', 'limitAdd', 'limitRead', 'cryptoOnlyAdd', 'cryptoOnlyRead'].map((m) => [m, cpuMean(m)]))
// The floors (cryptoOnly / limit) and the pipelines against them, medians over the rounds.
// addStore: the add floor of a round with the memory store: the crypto, then the page
// faults holding the blocks cost that round (its add's minor faults beyond those of the
// add into a sink, each at the price firstTouch measured).
const storeFaultsPerMiB = (r) => Math.max(0, r.add.faults - r.discard.faults) / (size / MiB)
const addStoreFloor = (r) => 1 / (1 / r.limit.cryptoOnlyAdd + storeFaultsPerMiB(r) * touch.msPerFault / 1000 * 1e6 / MiB) / r.limit.limitAdd
const floors = {
  add: round3(med((r) => r.floors.add)), read: round3(med((r) => r.floors.read)), addStore: round3(med(addStoreFloor))
}
const ofFloor = {
  add: round3(med((r) => r.ofFloor.add)), read: round3(med((r) => r.ofFloor.read)), addOfStore: round3(med((r) => r.ratios.add / addStoreFloor(r)))
}
const cpuRatios = { add: +(cpuMsPerMiB.limitAdd / cpuMsPerMiB.add).toFixed(3), read: +(cpuMsPerMiB.limitRead / cpuMsPerMiB.read).toFixed(3) }
const held = runs[0].held
// Round 1 starts from a clean process; later rounds also carry the previous store until it is collected.
const peaks = { add: runs[0].add.peak, read: Math.max(runs[0].read.peak, runs[0].checked.peak) }
const overhead = Math.max(peaks.add, peaks.read) - held
const result = {
  section: 'core',
  provider: providerName,
  nodeFlags: process.execArgv.filter((flag) => flag !== '--expose-gc').join(' '),
  sizeMiB: mib(size),
  rounds,
  blocks,
  mbPerSec: { ...rates, ...limits_, aesGcm16KiBCalls: chunked },
  ratios,
  roundRatios,
  floors,
  firstTouch: { msPerMiB: +touch.ms.toFixed(3), faultsPerMiB: Math.round(touch.faults), usPerFault: +(touch.msPerFault * 1000).toFixed(2) },
  storeFaultsPerMiB: runs.map((r) => Math.round(storeFaultsPerMiB(r))),
  ofFloor,
  cpuMsPerMiB,
  cpuRatios,
  peakRssMiB: {
    baseline: mib(baseline), add: mib(peaks.add), read: mib(peaks.read), process: mib(peakRss()), storeHeld: mib(held), overhead: mib(overhead)
  },
  targets: TARGETS,
  pass: { add: ratios.add >= TARGETS.ratio, read: ratios.read >= TARGETS.ratio, overhead: overhead < TARGETS.overheadMiB * MiB },
  summary: [
    {
      target: 'core addFile, memory store', unit: 'MB/s', cairn: rates.add, baseline: limits_.limitAdd, ratio: ratios.add, against: 'one-pass AES-GCM + SHA-256', goal: TARGETS.ratio, floor: floors.addStore, cpu: `${cpuMsPerMiB.add} CPU-ms/MiB (limit ${cpuMsPerMiB.limitAdd})`, pass: 'add',
      samples: runs.map((r) => ({ ratio: r.ratios.add, floor: addStoreFloor(r) }))
    },
    {
      target: 'core readFile, memory store', unit: 'MB/s', cairn: rates.read, baseline: limits_.limitRead, ratio: ratios.read, against: 'one-pass AES-GCM + SHA-256', goal: TARGETS.ratio, floor: floors.read, cpu: `${cpuMsPerMiB.read} CPU-ms/MiB (limit ${cpuMsPerMiB.limitRead})`, pass: 'read',
      samples: runs.map((r) => ({ ratio: r.ratios.read, floor: r.floors.read }))
    }
  ],
  notes: [
    `${rounds} round(s), each: add into a fresh MemoryBlockStore, read back checking every byte's checksum (readChecked: readFile's defaults, a fresh buffer per part), read back again as cairn get reads (read: recycle: true; the consumer counts bytes and checks each part's first and last byte), add into a sink that keeps nothing, then the limits (from round 2 also before); each ratio is the median of the rounds' (roundRatios), each against its own round's limit; rates and limits are medians too`,
    'summary.samples: each round\'s ratio with its own floor (addStore: that round\'s store faults), which the targets table judges round by round',
    'firstTouch: what a fresh process pays to allocate, write and keep the sealed blocks (median of 3 child processes): wall ms and minor page faults per MiB, and so the price of one fault. storeFaultsPerMiB: per round, the add\'s page faults beyond the add into a sink (what holding the store\'s blocks cost that round: freed memory goes back to the kernel, so later rounds fault too). floors.addStore = cryptoOnlyAdd plus those faults at that price, against the limit (median of the rounds); ofFloor.addOfStore = add against it',
    `limitAdd/limitRead = one AES-GCM pass then one SHA-256 pass over the same bytes (16 MiB calls, ${providerName === 'webcrypto' ? 'Web Crypto' : 'OpenSSL through node:crypto, one thread'}), mean of the round's samples; ratio = pipeline / limit`,
    `provider: core's CryptoProvider for the pipelines (${providerName}; node = node:crypto on the calling thread, as hosts and the CLI run; pool = node:crypto over a worker per core (CAIRN_CRYPTO_THREADS); webcrypto = browsers' default)`,
    'cpuMsPerMiB: process CPU time (all threads) per MiB, mean over the rounds; cpuRatios = limit CPU / pipeline CPU. Informational, not a target: on a busy machine, where every thread competes for a core, wall-time ratios drift towards these; on an idle one the pipelines also gain from running the main thread and Web Crypto\'s threads in parallel',
    `addNoStore: the add pipeline alone; "add" also pays MemoryBlockStore holding every block (${mib(size)} MiB of freshly faulted memory). The pipelines pass { immutable: true } on put and get (they never modify a block after put, nor a fetched one), so the store keeps and returns blocks without its defensive copies`,
    'peakRssMiB.add/read: sampled during round 1; overhead = their max minus the bytes the memory store holds: the pipelines\' own memory, Node\'s baseline included (process = VmHWM over all rounds)',
    'cryptoOnlyAdd/Read: the crypto each pipeline must do and nothing else, block by block through core\'s ChunkCipher and the provider (64 AES-GCM chunks + SHA-256 per 1 MiB block); floors = cryptoOnly / limit (what Cobblestone\'s 16 KiB chunks cost through this crypto API: the ceiling for ratios), ofFloor = pipeline / cryptoOnly (the pipelines\' own overhead)',
    'aesGcm16KiBCalls: AES-GCM at Cobblestone\'s granularity (one Web Crypto call per 16 KiB chunk, 64 in flight, same input reused), measured last, for context',
    'plaintext: 1 MiB views of a 4 MiB random pool (nothing allocated or copied per piece); its checksum is computed before the clock starts; readChecked checksums every byte it gets on the clock, read checks two bytes per part',
    'MB = 10^6 bytes; load average at start: ' + startLoad
  ]
}
console.log(JSON.stringify(result))
