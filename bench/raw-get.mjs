// The floor for `cairn get` in bench/hosts.mjs: the work a get must do at the
// least, without Cairn, between two processes over plain `ws` on loopback. The
// server holds the file as sealed 1 MiB blocks, one file each (as a host's
// store does), and for each block reads it from disk and hashes it (a host
// never serves bytes it has not verified), then sends it. The client hashes
// every block it receives (content addressing), opens its 64 AES-128-GCM
// chunks (Cobblestone's 16 KiB chunks, a nonce each) and writes the plaintext
// to /dev/null. No framing, no requests per block, no manifest, no mesh.
//
//   node bench/raw-get.mjs server FILE DIR   seals FILE into DIR, prints {"port":P,"blocks":N}
//   node bench/raw-get.mjs client PORT       prints {"bytes":N,"ms":T} once every block is opened
//
// Timing is the client's: its request to the last block opened and written.
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto'
import { once } from 'node:events'
import { createWriteStream } from 'node:fs'
import { mkdir, open, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { WebSocket, WebSocketServer } from 'ws'

const MiB = 1024 * 1024
const CHUNK = 16 * 1024
const TAG = 16
const CHUNKS = 64
const BLOCK_PLAIN = CHUNKS * CHUNK
/** Bytes the server lets sit in its socket buffer before waiting. */
const HIGH_WATER = 8 * MiB
const KEY = Buffer.alloc(16, 7)

function nonce (index) {
  const n = Buffer.alloc(12)
  n.writeUIntBE(index, 6, 6)
  return n
}

/** Seal FILE into DIR as 1 MiB blocks of 64 sealed chunks; returns the blocks' SHA-256 digests. */
async function sealInto (file, dir) {
  await mkdir(dir, { recursive: true })
  const handle = await open(file, 'r')
  const digests = []
  const plain = Buffer.alloc(BLOCK_PLAIN)
  for (let block = 0, chunkIndex = 0; ; block++) {
    const { bytesRead } = await handle.read(plain, 0, BLOCK_PLAIN, block * BLOCK_PLAIN)
    if (bytesRead === 0) break
    const parts = []
    for (let at = 0; at < bytesRead; at += CHUNK, chunkIndex++) {
      const cipher = createCipheriv('aes-128-gcm', KEY, nonce(chunkIndex))
      parts.push(cipher.update(plain.subarray(at, Math.min(bytesRead, at + CHUNK))), cipher.final(), cipher.getAuthTag())
    }
    const sealed = Buffer.concat(parts)
    digests.push(createHash('sha256').update(sealed).digest('hex'))
    await writeFile(join(dir, `${block}`), sealed)
  }
  await handle.close()
  return digests
}

async function server (file, dir) {
  const digests = await sealInto(file, dir)
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 2 * MiB })
  await once(wss, 'listening')
  console.log(JSON.stringify({ port: wss.address().port, blocks: digests.length }))
  wss.on('connection', ws => {
    ws.once('message', async () => {
      ws.send(JSON.stringify({ digests }))
      for (let block = 0; block < digests.length; block++) {
        const sealed = await readFile(join(dir, `${block}`))
        if (createHash('sha256').update(sealed).digest('hex') !== digests[block]) throw new Error(`block ${block} rotted`)
        ws.send(sealed, { binary: true })
        while (ws.bufferedAmount > HIGH_WATER) await once(ws._socket, 'drain')
      }
    })
  })
  process.on('SIGTERM', () => { wss.close(); process.exit(0) })
}

async function client (port) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false, maxPayload: 2 * MiB })
  await once(ws, 'open')
  const out = createWriteStream('/dev/null')
  const started = performance.now()
  let digests
  let block = 0
  let chunkIndex = 0
  let bytes = 0
  const done = new Promise((resolve, reject) => {
    ws.on('message', (data, isBinary) => {
      if (!isBinary) {
        digests = JSON.parse(data.toString()).digests
        return
      }
      if (createHash('sha256').update(data).digest('hex') !== digests[block]) reject(new Error(`block ${block}: wrong bytes`))
      for (let at = 0; at < data.length; at += CHUNK + TAG, chunkIndex++) {
        const end = Math.min(data.length, at + CHUNK + TAG)
        const decipher = createDecipheriv('aes-128-gcm', KEY, nonce(chunkIndex))
        decipher.setAuthTag(data.subarray(end - TAG, end))
        const plain = decipher.update(data.subarray(at, end - TAG))
        decipher.final()
        bytes += plain.length
        out.write(plain)
      }
      if (++block === digests.length) resolve()
    })
    ws.once('error', reject)
  })
  ws.send('go')
  await done
  out.end()
  await once(out, 'finish')
  console.log(JSON.stringify({ bytes, ms: performance.now() - started }))
  ws.close()
}

const [mode, a, b] = process.argv.slice(2)
if (mode === 'server') await server(a, b)
else if (mode === 'client') await client(Number(a))
else {
  console.error('usage: raw-get.mjs server FILE DIR | client PORT')
  process.exit(2)
}
