// The transport limit for bench/hosts.mjs: one process sends a file's bytes
// over a plain `ws` WebSocket (binary 1 MiB frames, no deflate, waiting for
// the socket to drain) to another process that counts them.
//
//   node bench/raw-ws.mjs server                 prints {"port":P}, then {"received":N,"ms":T} per transfer
//   node bench/raw-ws.mjs client PORT FILE       prints {"bytes":N,"ms":T} once the server has counted them all
//
// Timing is the client's: first byte read to the server's acknowledgement.
import { createReadStream } from 'node:fs'
import { once } from 'node:events'
import { WebSocket, WebSocketServer } from 'ws'

const MiB = 1024 * 1024
/** Bytes the client lets sit in its socket buffer before waiting. */
const HIGH_WATER = 8 * MiB

async function server () {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 2 * MiB })
  await once(wss, 'listening')
  console.log(JSON.stringify({ port: wss.address().port }))
  wss.on('connection', ws => {
    let received = 0
    let expected = -1
    let started = 0
    ws.on('message', (data, isBinary) => {
      if (!isBinary) {
        expected = Number(JSON.parse(data.toString()).bytes)
        started = performance.now()
      } else {
        received += data.length
      }
      if (received === expected) {
        ws.send(JSON.stringify({ received }))
        console.log(JSON.stringify({ received, ms: performance.now() - started }))
      }
    })
  })
  process.on('SIGTERM', () => { wss.close(); process.exit(0) })
}

async function client (port, file) {
  const { statSync } = await import('node:fs')
  const bytes = statSync(file).size
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false, maxPayload: 2 * MiB })
  await once(ws, 'open')
  const done = new Promise((resolve, reject) => {
    ws.once('message', data => resolve(JSON.parse(data.toString())))
    ws.once('error', reject)
  })
  const started = performance.now()
  ws.send(JSON.stringify({ bytes }))
  for await (const chunk of createReadStream(file, { highWaterMark: MiB })) {
    ws.send(chunk, { binary: true })
    while (ws.bufferedAmount > HIGH_WATER) await once(ws._socket, 'drain')
  }
  const ack = await done
  const ms = performance.now() - started
  if (ack.received !== bytes) throw new Error(`server counted ${ack.received} of ${bytes} bytes`)
  console.log(JSON.stringify({ bytes, ms }))
  ws.close()
}

const [mode, port, file] = process.argv.slice(2)
if (mode === 'server') await server()
else if (mode === 'client') await client(Number(port), file)
else {
  console.error('usage: raw-ws.mjs server | client PORT FILE')
  process.exit(2)
}
