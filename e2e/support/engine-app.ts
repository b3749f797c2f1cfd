/** Driving the Cairn web app in any engine (`EngineTab`), through its data-testid hooks. */
import type { EngineTab } from './engine-tab.js'
import { attribute, byTestId, waitFor } from './engine-tab.js'

export async function waitConnected (tab: EngineTab): Promise<void> {
  await waitFor(tab, attribute('connection-state', 'data-state'), v => v === 'connected', { what: 'connected to the host' })
}

/** Wait until the tab has at least `n` peers over `transport`; resolve with their count. */
export async function waitPeers (tab: EngineTab, transport: string, n = 1): Promise<number> {
  return await waitFor<number>(tab, `document.querySelectorAll('[data-testid="peer-row"][data-transport="${transport}"]').length`, v => v >= n, { what: `${n} ${transport} peer(s)` })
}

/** Bytes received (or sent) over `transport`, summed over its peer rows. */
export async function peerBytes (tab: EngineTab, selector: string, field: 'bytesReceived' | 'bytesSent'): Promise<number> {
  return await tab.evaluate<number>(`[...document.querySelectorAll('[data-testid="peer-row"]${selector}')].reduce((n, r) => n + Number(r.dataset.${field}), 0)`)
}

export interface Added { link: string, replicas: number }

/** Add a file through the file input; resolve with its share link and replica count. */
export async function addFile (tab: EngineTab, path: string, timeout = 90_000): Promise<Added> {
  await tab.setFile('add-files', path)
  const state = await waitFor<string | null>(tab, attribute('upload', 'data-state'), v => v === 'done' || v === 'error', { timeout, what: `adding ${path}` })
  if (state === 'error') throw new Error(`${tab.engine}: adding ${path} failed: ${await tab.evaluate<string>(`document.querySelector('${byTestId('add-error')}')?.textContent ?? ''`)}`)
  return await tab.evaluate<Added>(`({ link: document.querySelector('${byTestId('upload')} ${byTestId('file-link')}').value, replicas: Number(document.querySelector('${byTestId('upload')} ${byTestId('replicas')}').dataset.replicas) })`)
}

export interface Fetched { sha256: string, bytes: number, status: number, disposition: string | null, href: string, ms: number }

/**
 * Fetch the opened file's download link from the page (through the service
 * worker, as a click would) and hash it there. For files of a few MiB.
 */
export async function fetchDownload (tab: EngineTab, timeout = 120_000): Promise<Fetched> {
  await waitFor(tab, `document.querySelector('${byTestId('download')}')?.getAttribute('href') ?? null`, v => v !== null, { timeout: 60_000, what: 'a download link' })
  return await withTimeout(tab.evaluate<Fetched>(`(async () => {
    const href = document.querySelector('${byTestId('download')}').href
    const started = performance.now()
    const res = await fetch(href)
    const body = await res.arrayBuffer()
    const ms = performance.now() - started
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', body))
    return { sha256: [...digest].map(b => b.toString(16).padStart(2, '0')).join(''), bytes: body.byteLength, status: res.status, disposition: res.headers.get('content-disposition'), href, ms }
  })()`), timeout, `${tab.engine}: download`)
}

export interface VideoCheck { tag: string, duration: number, playedTo: number, seekedTo: number, resumedTo: number, error: string | null, width: number }

/** The preview is a <video> that loads, plays, seeks to 9 s and plays on from there. */
export async function checkVideoPreview (tab: EngineTab): Promise<VideoCheck> {
  await waitFor(tab, `document.querySelector('${byTestId('preview')}')?.tagName ?? null`, v => v !== null, { timeout: 45_000, what: 'a preview' })
  const v = `document.querySelector('${byTestId('preview')}')`
  await waitFor<number>(tab, `${v}.readyState`, n => n >= 1, { what: 'video metadata' })
  await tab.evaluate(`(async () => { const v = ${v}; v.muted = true; await v.play(); return true })()`)
  const playedTo = await waitFor<number>(tab, `${v}.currentTime`, t => t > 0.5, { what: 'video playing' })
  const seekedTo = await tab.evaluate<number>(`(async () => {
    const v = ${v}
    const seeked = new Promise(resolve => { v.addEventListener('seeked', resolve, { once: true }) })
    v.currentTime = 9
    await seeked
    return v.currentTime
  })()`)
  const resumedTo = await waitFor<number>(tab, `${v}.currentTime`, t => t > 9.4, { what: 'video playing after the seek' })
  return await tab.evaluate<VideoCheck>(`(() => { const v = ${v}; return { tag: v.tagName, duration: v.duration, playedTo: ${playedTo}, seekedTo: ${seekedTo}, resumedTo: ${resumedTo}, error: v.error === null ? null : String(v.error.code), width: v.videoWidth } })()`)
}

async function withTimeout<T> (promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    return await Promise.race([promise, new Promise<never>((_resolve, reject) => { timer = setTimeout(() => { reject(new Error(`${what} took over ${ms} ms`)) }, ms) })])
  } finally {
    clearTimeout(timer)
  }
}
