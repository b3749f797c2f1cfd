/**
 * The page ↔ service worker protocol carries a failed read's error code: the
 * page's `PageStreamServer` and the worker's `rangeStream` over a real
 * MessageChannel (Node's), with an `OpenedFile` whose reads fail as the mesh
 * would make them fail.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { IntegrityError, InternalError, UnavailableError, type OpenedFile } from '@cairn/core'
import { failureResponse } from '../sw/failure.js'
import { FILE_RESPONSE_HEADERS } from './content-policy.js'
import { rangeStream } from '../sw/owner.js'
import { PageStreamServer } from './page-server.js'
import type { PageMessage } from './protocol.js'

const SIZE = 3000
const CHUNK = 1000
const bytes = Uint8Array.from({ length: SIZE }, (_, i) => i % 251)

/** A file whose read yields `good` bytes, then throws `failure` (if any). */
function file (good: number, failure?: Error): OpenedFile {
  return {
    name: 'f.bin',
    type: 'application/octet-stream',
    size: SIZE,
    mtime: 0,
    blocks: 1,
    root: undefined as never,
    blockId: async () => { throw new Error('errors.test: the page server only reads') },
    matchesBlock: async () => { throw new Error('errors.test: the page server only reads') },
    read: (init = {}) => (async function * () {
      const offset = init.offset ?? 0
      if (offset < good) yield bytes.slice(offset, good)
      if (failure !== undefined) throw failure
    })()
  }
}

/** A stand-in for `navigator.serviceWorker`: the page server only listens to it. */
class Container extends EventTarget {
  readonly controller = null
  startMessages (): void {}
}

const ports: MessagePort[] = []
afterEach(() => { for (const port of ports.splice(0)) port.close() })

/** Open `f` on a page server and return the worker's end of the session's port, as `findOwner` would. */
async function openSession (f: OpenedFile): Promise<MessagePort> {
  const container = new Container()
  const server = new PageStreamServer(container as unknown as ServiceWorkerContainer)
  const { id } = server.open(f)
  const channel = new MessageChannel()
  ports.push(channel.port1, channel.port2)
  const meta = new Promise<PageMessage>(resolve => { channel.port1.onmessage = event => { resolve(event.data as PageMessage) } })
  container.dispatchEvent(new MessageEvent('message', { data: { t: 'open', id }, ports: [channel.port2] }))
  expect(await meta).toEqual({ t: 'meta', name: 'f.bin', size: SIZE, type: 'application/octet-stream' })
  return channel.port1
}

async function drain (stream: ReadableStream<Uint8Array>): Promise<{ received: number, error?: unknown }> {
  const reader = stream.getReader()
  let received = 0
  try {
    for (let next = await reader.read(); next.done !== true; next = await reader.read()) received += next.value.length
    return { received }
  } catch (error) {
    return { received, error }
  }
}

describe('error codes across the page ↔ service worker protocol', () => {
  it('streams a file that reads fine', async () => {
    const port = await openSession(file(SIZE))
    expect(await drain(await rangeStream(port, 0, SIZE - 1, CHUNK))).toEqual({ received: SIZE })
  })

  it('a failure at the first read rejects with the typed error, and becomes a 503 naming its code', async () => {
    const port = await openSession(file(0, new UnavailableError('no peer has block 0')))
    const error = await rangeStream(port, 0, SIZE - 1, CHUNK).then(() => undefined, (err: unknown) => err)
    expect(error).toBeInstanceOf(UnavailableError)
    expect(error).toMatchObject({ code: 'ERR_UNAVAILABLE', message: 'no peer has block 0' })
    const response = failureResponse(error as UnavailableError)
    expect(response.status).toBe(503)
    expect(response.headers.get('X-Cairn-Error')).toBe('ERR_UNAVAILABLE')
    expect(response.headers.get('Content-Security-Policy')).toBe(FILE_RESPONSE_HEADERS['Content-Security-Policy'])
    expect(await response.text()).toBe('no peer has block 0 (ERR_UNAVAILABLE)')
  })

  it('a failure mid-stream errors the stream with the typed error', async () => {
    const port = await openSession(file(CHUNK, new IntegrityError('block 1 does not match its id')))
    const { received, error } = await drain(await rangeStream(port, 0, SIZE - 1, CHUNK))
    expect(received).toBe(CHUNK)
    expect(error).toBeInstanceOf(IntegrityError)
    expect(error).toMatchObject({ code: 'ERR_INTEGRITY' })
    expect(failureResponse(error as IntegrityError).status).toBe(502)
  })

  it('an untyped failure on the page arrives as ERR_INTERNAL (a 500)', async () => {
    const port = await openSession(file(0, new TypeError('x is undefined')))
    const error = await rangeStream(port, 0, SIZE - 1, CHUNK).then(() => undefined, (err: unknown) => err)
    expect(error).toBeInstanceOf(InternalError)
    expect(error).toMatchObject({ code: 'ERR_INTERNAL', message: 'x is undefined' })
    expect(failureResponse(error as InternalError).status).toBe(500)
  })
})
