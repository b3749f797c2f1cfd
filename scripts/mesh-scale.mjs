// Where the full mesh stops: real MeshNodes (hosts, memory stores) over the memory
// transport, all in this process. For each size: time to a full mesh, connections
// per host, bytes each host sent (handshakes + gossip) to form it, the bytes the
// whole mesh sends when one more host joins, and heap per host.
// Usage: node scripts/mesh-scale.mjs [sizes...]   (default 10 30 100; run `npm run build` first)
import { MeshNode, generateIdentity } from '../packages/core/dist/index.js'
import { MemoryBlockStore, MemoryNetwork } from '../packages/core/dist/testing/index.js'

const sizes = process.argv.slice(2).map(Number).filter(n => n > 1)

async function startHost (net, i, nodes) {
  const address = `memory://scale-${i}`
  const node = new MeshNode({
    identity: await generateIdentity(),
    role: 'host',
    store: new MemoryBlockStore(),
    transports: [net.transport({ localAddress: address })],
    joinToken: 'scale',
    hostKey: 'scale-host-key',
    listenAddrs: [address],
    repairInterval: 0,
    pingInterval: 0,
    // One process carries every host: give handshakes room on a busy machine.
    handshakeTimeout: 60_000
  })
  net.listen(address, conn => { node.accept(conn).catch(() => {}) })
  await node.start()
  nodes.push(node)
  return { node, address }
}

async function dialRetrying (node, address) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await node.dial(address)
    } catch (err) {
      if (attempt === 5) throw err
      process.stderr.write(`dial failed (${err.message}); retrying\n`)
    }
  }
}

const sent = nodes => nodes.reduce((sum, n) => sum + n.peers().reduce((s, p) => s + p.bytesSent, 0), 0)
const hostPeers = node => node.peers().filter(p => p.role === 'host').length

async function settle (nodes, ms = 120_000) {
  const deadline = Date.now() + ms
  while (!nodes.every(n => hostPeers(n) === nodes.length - 1)) {
    if (Date.now() > deadline) throw new Error(`no full mesh of ${nodes.length} within ${ms} ms`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  // Let debounced gossip go out.
  await new Promise(resolve => setTimeout(resolve, 500))
}

const rows = []
for (const n of sizes.length > 0 ? sizes : [10, 30, 100]) {
  globalThis.gc?.()
  const heapBefore = process.memoryUsage().heapUsed
  const net = new MemoryNetwork()
  const nodes = []
  const first = await startHost(net, 0, nodes)
  const started = performance.now()
  for (let i = 1; i < n; i++) {
    const host = await startHost(net, i, nodes)
    await dialRetrying(host.node, first.address)
  }
  await settle(nodes, 600_000)
  const formed = (performance.now() - started) / 1000
  globalThis.gc?.()
  const heapPerHost = (process.memoryUsage().heapUsed - heapBefore) / n
  const formBytes = sent(nodes)
  const joiner = await startHost(net, n, nodes)
  await dialRetrying(joiner.node, first.address)
  await settle(nodes)
  const joinBytes = sent(nodes) - formBytes
  rows.push({ hosts: n, seconds: formed.toFixed(1), connectionsPerHost: n - 1, sentPerHostKiB: (formBytes / n / 1024).toFixed(1), oneJoinTotalKiB: (joinBytes / 1024).toFixed(0), heapPerHostKiB: (heapPerHost / 1024).toFixed(0) })
  await Promise.all(nodes.map(node => node.stop()))
  process.stderr.write(`${n} hosts done\n`)
}
console.table(rows)
