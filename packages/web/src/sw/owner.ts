/**
 * Finding the page that holds a stream session: every window of this origin
 * is asked over its own MessageChannel; the one that knows the id answers with
 * the file's metadata and keeps serving reads on that port. The service
 * worker keeps no state between requests, so it may be stopped and restarted
 * freely.
 */
/// <reference lib="webworker" />
import type { PageMessage, SwMessage } from '../download/protocol.js'

declare const self: ServiceWorkerGlobalScope

const ASK_TIMEOUT_MS = 5_000

export interface Owner {
  port: MessagePort
  meta: { name: string, size: number, type: string }
}

export async function findOwner (id: string): Promise<Owner | undefined> {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true })
  const answers = windows.map(async client => ask(client, id))
  const owners = await Promise.all(answers)
  const owner = owners.find(o => o !== undefined)
  for (const other of owners) if (other !== undefined && other !== owner) other.port.close()
  return owner
}

async function ask (client: Client, id: string): Promise<Owner | undefined> {
  const channel = new MessageChannel()
  const open: SwMessage = { t: 'open', id }
  return new Promise(resolve => {
    const timer = setTimeout(() => { channel.port1.close(); resolve(undefined) }, ASK_TIMEOUT_MS)
    channel.port1.onmessage = (event: MessageEvent) => {
      clearTimeout(timer)
      const msg = event.data as PageMessage
      if (msg.t !== 'meta') {
        channel.port1.close()
        resolve(undefined)
        return
      }
      channel.port1.onmessage = null
      resolve({ port: channel.port1, meta: { name: msg.name, size: msg.size, type: msg.type } })
    }
    client.postMessage(open, [channel.port2])
  })
}

/** Pull `[start, end]` from the owner one chunk per `pull`: at most one chunk in flight. */
export function rangeStream (port: MessagePort, start: number, end: number, chunk: number): ReadableStream<Uint8Array> {
  let offset = start
  let pending: ((msg: PageMessage) => void) | undefined
  port.onmessage = (event: MessageEvent) => { pending?.(event.data as PageMessage) }
  const request = async (msg: SwMessage): Promise<PageMessage> => new Promise(resolve => {
    pending = resolve
    port.postMessage(msg)
  })
  const close = (): void => {
    port.postMessage({ t: 'close' } satisfies SwMessage)
    port.close()
  }
  return new ReadableStream<Uint8Array>({
    async pull (controller) {
      if (offset > end) {
        controller.close()
        close()
        return
      }
      const reply = await request({ t: 'read', offset, length: Math.min(chunk, end + 1 - offset) })
      if (reply.t !== 'data' || reply.bytes.length === 0) {
        controller.error(new Error(reply.t === 'error' ? reply.message : 'the tab stopped serving this file'))
        close()
        return
      }
      offset += reply.bytes.length
      controller.enqueue(reply.bytes)
    },
    cancel () { close() }
  }, { highWaterMark: 1 })
}
