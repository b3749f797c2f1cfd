/** A minimal static file server for the test pages (packages/web/dist-test) on 127.0.0.1:0. */
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize } from 'node:path'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.css': 'text/css; charset=utf-8'
}

export interface StaticServer { url: string, close: () => Promise<void> }

export async function serveStatic (dir: string): Promise<StaticServer> {
  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname))
      const file = join(dir, path.endsWith('/') ? `${path}index.html` : path)
      if (!file.startsWith(dir)) { res.writeHead(403).end(); return }
      try {
        const info = await stat(file)
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': info.size })
        createReadStream(file).pipe(res)
      } catch {
        res.writeHead(404).end()
      }
    })()
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => new Promise(resolve => { server.closeAllConnections(); server.close(() => { resolve() }) })
  }
}
