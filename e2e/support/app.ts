/** Driving the Cairn web app through its stable test hooks (data-testid). */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { open } from 'node:fs/promises'
import type { Page } from '@playwright/test'
import { expect } from '@playwright/test'

export const MiB = 1024 * 1024

/** Wait until the tab is connected to its host. */
export async function waitConnected (page: Page): Promise<void> {
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected')
}

/** Wait until the tab has at least `n` peers with `transport` (e.g. 'webrtc'). */
export async function waitPeers (page: Page, transport: string, n = 1): Promise<void> {
  await expect(page.locator(`[data-testid="peer-row"][data-transport="${transport}"]`)).toHaveCount(n, { timeout: 30_000 })
}

export interface Added { link: string, replicas: number }

/** Add a file through the file input; resolve with its share link and replica count. */
export async function addFile (page: Page, path: string, timeout = 60_000): Promise<Added> {
  await page.getByTestId('add-files').setInputFiles(path)
  const upload = page.getByTestId('upload').first()
  await expect(upload).toHaveAttribute('data-state', /done|error/, { timeout })
  const error = upload.getByTestId('add-error')
  if (await error.count() > 0) throw new Error(`adding ${path} failed: ${await error.textContent()}`)
  const link = await upload.getByTestId('file-link').inputValue()
  const replicas = Number(await upload.getByTestId('replicas').getAttribute('data-replicas'))
  return { link, replicas }
}

/** Click the opened file's download link; resolve with the saved file's path. */
export async function download (page: Page, timeout = 120_000): Promise<string> {
  const button = page.getByTestId('download')
  await expect(button).toBeVisible({ timeout: 45_000 })
  const [started] = await Promise.all([page.waitForEvent('download', { timeout: 15_000 }), button.click()])
  const failure = await Promise.race([
    started.failure(),
    new Promise<never>((_resolve, reject) => setTimeout(() => { reject(new Error(`download took over ${timeout} ms`)) }, timeout))
  ])
  if (failure !== null) throw new Error(`download failed: ${failure}`)
  return await started.path()
}

export async function sha256File (path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** Write `size` pseudo-random bytes (fast, not crypto) to `path`; return their SHA-256. */
export async function writeRandomFile (path: string, size: number, seed = 1): Promise<string> {
  const file = await open(path, 'w')
  const hash = createHash('sha256')
  let state = seed >>> 0 || 1
  const chunk = Buffer.alloc(MiB)
  try {
    for (let written = 0; written < size; written += chunk.length) {
      for (let i = 0; i < chunk.length; i += 4) {
        state ^= state << 13; state ^= state >>> 17; state ^= state << 5
        chunk.writeUInt32LE(state >>> 0, i)
      }
      const piece = chunk.subarray(0, Math.min(chunk.length, size - written))
      hash.update(piece)
      await file.write(piece)
    }
  } finally {
    await file.close()
  }
  return hash.digest('hex')
}
