/**
 * A host inside the test process, wired like the real one (MeshNode over an
 * HTTP server with the `/mesh` WebSocket endpoint, WebSocketTransport to
 * dial), but with a store the test chooses: e.g. one that lies.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { MeshNode, deriveMemberToken, generateIdentity } from '@cairn/core'
import type { BlockStore, MeshTuning } from '@cairn/core'
import { WebSocketTransport, attachMeshEndpoint } from '../../../src/transport/websocket.js'

export interface InProcessHost {
  node: MeshNode
  port: number
  /** Join URL `http://127.0.0.1:PORT/#join=TOKEN`. */
  url: string
  close: () => Promise<void>
}

/** `hostKey`: the mesh's (from a host's peer URL, `hostKeyOf`); the join token is derived from it. */
export async function startInProcessHost (init: { store: BlockStore, hostKey: string, tuning?: MeshTuning }): Promise<InProcessHost> {
  const token = await deriveMemberToken(init.hostKey)
  const server = createServer((_req, res) => { res.writeHead(404).end() })
  let node: MeshNode | undefined
  const endpoint = attachMeshEndpoint(server, conn => {
    if (node === undefined) conn.close('not ready')
    else node.accept(conn).catch(() => {})
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  node = new MeshNode({
    identity: await generateIdentity(),
    role: 'host',
    store: init.store,
    transports: [new WebSocketTransport()],
    joinToken: token,
    hostKey: init.hostKey,
    listenAddrs: [`ws://127.0.0.1:${port}/mesh`],
    ...init.tuning
  })
  await node.start()
  const started = node
  return {
    node: started,
    port,
    url: `http://127.0.0.1:${port}/#join=${token}`,
    close: async () => {
      await endpoint.close()
      await started.stop()
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => { resolve() }))
    }
  }
}
