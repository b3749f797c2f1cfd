// Cobblestone throughput: encryptStream and decryptStream over 256 MiB, per
// concurrency, against one single AES-GCM Web Crypto call over the same bytes.
//
//   npx tsc -b packages/core && node bench/cobblestone.mjs [MiB] [concurrency,...]
//
// COBBLESTONE_MODULE=path/to/crypto/index.js overrides the module under test.
import { pathToFileURL } from 'node:url'

const modulePath = process.env.COBBLESTONE_MODULE
const { encryptStream, decryptStream, DEFAULT_CONCURRENCY } = await import(
  modulePath ? pathToFileURL(modulePath).href : new URL('../packages/core/dist/index.js', import.meta.url).href
)
const { CHUNK_SIZE } = await import(new URL('../packages/core/dist/crypto/index.js', import.meta.url).href)

const MiB = 1024 * 1024
const sizeMiB = Number(process.argv[2] ?? 256)
const concurrencies = (process.argv[3] ?? `1,4,16,32,64,128,256`).split(',').map(Number)
const total = sizeMiB * MiB
const piece = new Uint8Array(MiB)
for (let i = 0; i < MiB; i += 65536) crypto.getRandomValues(piece.subarray(i, i + 65536))
const key = crypto.getRandomValues(new Uint8Array(16))
const context = new TextEncoder().encode('cairn/v1/content')

async function * plaintext () {
  for (let sent = 0; sent < total; sent += MiB) yield piece
}
const rate = (bytes, ms) => `${(bytes / MiB / (ms / 1000)).toFixed(0).padStart(5)} MiB/s`

async function time (fn) {
  const start = performance.now()
  const result = await fn()
  return [performance.now() - start, result]
}

async function baseline () {
  const big = new Uint8Array(total)
  for (let i = 0; i < total; i += MiB) big.set(piece, i)
  const aes = await crypto.subtle.importKey('raw', key, 'AES-GCM', false, ['encrypt', 'decrypt'])
  const iv = new Uint8Array(12)
  const [encMs, sealed] = await time(() => crypto.subtle.encrypt({ name: 'AES-GCM', iv }, aes, big))
  const [decMs] = await time(() => crypto.subtle.decrypt({ name: 'AES-GCM', iv }, aes, sealed))
  console.log(`baseline, one AES-128-GCM call: encrypt ${rate(total, encMs)}   decrypt ${rate(total, decMs)}`)
}

async function run (concurrency) {
  const ciphertext = []
  const [encMs] = await time(async () => {
    for await (const part of encryptStream(key, context, plaintext(), { concurrency })) ciphertext.push(part)
  })
  let out = 0
  const [decMs] = await time(async () => {
    for await (const part of decryptStream(key, context, (async function * () { yield * ciphertext })(), { concurrency })) out += part.length
  })
  if (out !== total) throw new Error(`decrypted ${out} bytes, expected ${total}`)
  console.log(`concurrency ${String(concurrency).padStart(3)}: encryptStream ${rate(total, encMs)}   decryptStream ${rate(total, decMs)}`)
}

console.log(`${sizeMiB} MiB, ${CHUNK_SIZE}-byte chunks, default concurrency ${DEFAULT_CONCURRENCY}, node ${process.version}`)
await baseline()
for (const concurrency of concurrencies) await run(concurrency)
