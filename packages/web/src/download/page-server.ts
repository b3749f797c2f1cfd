/**
 * The page side of streaming: files this page has open, each under a random
 * session id, served to the service worker range by range (see protocol.ts).
 * While a stream is being served the page pings the service worker so the
 * browser does not stop it mid-download.
 */
import type { ReadInit } from '@cairn/core'
import { DOWNLOAD_PATH, errorMessage, MEDIA_PATH } from './protocol.js'
import type { KeepAlive, PageMessage, SwMessage } from './protocol.js'
import { RangeReader } from './range-reader.js'

const KEEPALIVE_MS = 10_000

/** What can be streamed: an `StreamableFile`, or anything else with a name, a size, a type and ranged reads (a folder's ZIP). */
export interface StreamableFile {
  name: string
  size: number
  type: string
  read (init?: ReadInit): AsyncIterable<Uint8Array>
}

export interface StreamSession {
  id: string
  /** URL that downloads the file (Content-Disposition: attachment). */
  downloadUrl: string
  /** URL for <video>/<audio>/<img> (inline, Range requests). */
  mediaUrl: string
}

export class PageStreamServer {
  private readonly files = new Map<string, StreamableFile>()
  private streams = 0
  private keepalive: ReturnType<typeof setInterval> | undefined

  constructor (private readonly container: ServiceWorkerContainer) {
    container.addEventListener('message', event => { this.onMessage(event) })
    container.startMessages()
  }

  /** Make `file` streamable; the session lasts until `close(id)` or the page goes. */
  open (file: StreamableFile): StreamSession {
    const id = randomId()
    this.files.set(id, file)
    return { id, downloadUrl: `${DOWNLOAD_PATH}${id}`, mediaUrl: `${MEDIA_PATH}${id}` }
  }

  close (id: string): void {
    this.files.delete(id)
  }

  private onMessage (event: MessageEvent): void {
    const msg = event.data as SwMessage | undefined
    const port = event.ports[0]
    if (msg?.t !== 'open' || port === undefined) return
    const file = this.files.get(msg.id)
    if (file === undefined) {
      reply(port, { t: 'unknown' })
      port.close()
      return
    }
    reply(port, { t: 'meta', name: file.name, size: file.size, type: file.type })
    this.serve(file, port)
  }

  /** Answer reads on `port` one at a time until the service worker closes it. */
  private serve (file: StreamableFile, port: MessagePort): void {
    const reader = new RangeReader(file)
    let queue = Promise.resolve()
    this.streamStarted()
    let ended = false
    const end = (): void => {
      if (ended) return
      ended = true
      reader.close()
      port.close()
      this.streamEnded()
    }
    // Chromium fires 'close' on a port whose other end went away (e.g. the worker stopped).
    port.addEventListener('close', end)
    port.onmessage = (event: MessageEvent) => {
      const msg = event.data as SwMessage
      if (msg.t === 'close') {
        queue = queue.then(end)
        return
      }
      if (msg.t !== 'read') return
      queue = queue.then(async () => {
        try {
          const bytes = await reader.read(msg.offset, msg.length)
          reply(port, { t: 'data', bytes }, [bytes.buffer as ArrayBuffer])
        } catch (err) {
          reply(port, errorMessage(err))
        }
      })
    }
  }

  private streamStarted (): void {
    if (this.streams++ > 0) return
    this.keepalive = setInterval(() => {
      const ping: KeepAlive = { t: 'keepalive' }
      this.container.controller?.postMessage(ping)
    }, KEEPALIVE_MS)
  }

  private streamEnded (): void {
    if (--this.streams > 0) return
    clearInterval(this.keepalive)
  }
}

function reply (port: MessagePort, msg: PageMessage, transfer: Transferable[] = []): void {
  port.postMessage(msg, transfer)
}

function randomId (): string {
  const bytes = crypto.getRandomValues(new Uint8Array(18))
  return btoa(String.fromCharCode(...bytes)).replaceAll('+', '-').replaceAll('/', '_')
}
