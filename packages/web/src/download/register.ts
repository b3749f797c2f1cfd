/**
 * Register the service worker (`/sw.js`, whole-origin scope) and wait until it
 * controls this page, so `/media/<id>` requests from <video> reach it.
 */
import { PageStreamServer } from './page-server.js'

const CONTROL_TIMEOUT_MS = 5_000

export async function startStreaming (): Promise<PageStreamServer | undefined> {
  const container = navigator.serviceWorker as ServiceWorkerContainer | undefined
  if (container === undefined) return undefined
  const server = new PageStreamServer(container)
  try {
    await container.register('/sw.js', { scope: '/', type: 'module' })
    await container.ready
    if (container.controller === null) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => { reject(new Error('service worker did not take control')) }, CONTROL_TIMEOUT_MS)
        container.addEventListener('controllerchange', () => { clearTimeout(timer); resolve() }, { once: true })
      })
    }
    return server
  } catch {
    return undefined
  }
}
