/**
 * Finding the page that holds a stream session: every window of this origin
 * is asked over its own MessageChannel; the one that knows the id answers with
 * the file's metadata and keeps serving reads on that port. The service
 * worker keeps no state between requests, so it may be stopped and restarted
 * freely.
 */
/// <reference lib="webworker" />
import { ConnectionClosedError, errorFromCode, type CairnError } from '@cairn/core'
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

/**
 * Pull `[start, end]` from the owner, one chunk per `pull`: at most one chunk
 * in flight. The first chunk is read before this resolves, so a failure at the
 * start rejects with the page's typed error (its `code` kept) and can become
 * the HTTP status; a later one errors the stream with it.
 */
export async function rangeStream (port: MessagePort, start: number, end: number, chunk: number): Promise<ReadableStream<Uint8Array>> {
  let pending: ((msg: PageMessage) => void) | undefined
  port.onmessage = (event: MessageEvent) => { pending?.(event.data as PageMessage) }
  const close = (): void => {
    port.postMessage({ t: 'close' } satisfies SwMessage)
    port.close()
  }
  let offset = start
  /** The next chunk; rejects with the page's error. */
  const read = async (): Promise<Uint8Array> => {
    const reply = await new Promise<PageMessage>(resolve => {
      pending = resolve
      port.postMessage({ t: 'read', offset, length: Math.min(chunk, end + 1 - offset) } satisfies SwMessage)
    })
    if (reply.t === 'data' && reply.bytes.length > 0) {
      offset += reply.bytes.length
      return reply.bytes
    }
    throw replyError(reply)
  }
  let first: Uint8Array | undefined
  try {
    first = await read()
  } catch (err) {
    close()
    throw err
  }
  return new ReadableStream<Uint8Array>({
    async pull (controller) {
      if (first !== undefined) {
        controller.enqueue(first)
        first = undefined
        return
      }
      if (offset > end) {
        controller.close()
        close()
        return
      }
      try {
        controller.enqueue(await read())
      } catch (err) {
        controller.error(err)
        close()
      }
    },
    cancel () { close() }
  }, { highWaterMark: 1 })
}

/** The typed error a reply other than data stands for. */
function replyError (reply: PageMessage): CairnError {
  if (reply.t === 'error') return errorFromCode(reply.code, reply.message)
  return new ConnectionClosedError('the tab stopped serving this file')
}
