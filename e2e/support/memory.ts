/**
 * Renderer memory, through CDP: `SystemInfo.getProcessInfo` names Chromium's
 * processes and their pids, and each one's resident set is read from
 * /proc/<pid>/status (the runner shares the browser's pid namespace).
 */
import { readFile } from 'node:fs/promises'
import type { Browser, CDPSession } from '@playwright/test'

interface ProcessInfo { type: string, id: number }

export async function rendererPids (session: CDPSession): Promise<number[]> {
  const { processInfo } = await session.send('SystemInfo.getProcessInfo') as { processInfo: ProcessInfo[] }
  return processInfo.filter(p => p.type === 'renderer').map(p => p.id)
}

/** Resident set size of `pid` in bytes (0 if it has gone). */
export async function rssOf (pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8')
    const kib = /^VmRSS:\s+(\d+) kB$/m.exec(status)
    return kib === null ? 0 : Number(kib[1]) * 1024
  } catch {
    return 0
  }
}

/** Samples every renderer's RSS until stopped; keeps each one's peak. */
export class RssSampler {
  private readonly peaks = new Map<number, number>()
  /** Every sample of each renderer, in order. */
  readonly series = new Map<number, number[]>()
  private timer: ReturnType<typeof setInterval> | undefined
  private sampling: Promise<void> = Promise.resolve()

  private constructor (private readonly session: CDPSession) {}

  static async start (browser: Browser, everyMs = 200): Promise<RssSampler> {
    const sampler = new RssSampler(await browser.newBrowserCDPSession())
    await sampler.sample()
    sampler.timer = setInterval(() => { sampler.sampling = sampler.sample() }, everyMs)
    return sampler
  }

  /** Current RSS of every renderer, in bytes. */
  async current (): Promise<Map<number, number>> {
    const pids = await rendererPids(this.session)
    return new Map(await Promise.all(pids.map(async pid => [pid, await rssOf(pid)] as [number, number])))
  }

  async stop (): Promise<Map<number, number>> {
    clearInterval(this.timer)
    await this.sampling
    await this.session.detach().catch(() => {})
    return this.peaks
  }

  private async sample (): Promise<void> {
    for (const [pid, rss] of await this.current()) {
      const series = this.series.get(pid) ?? []
      series.push(rss)
      this.series.set(pid, series)
      this.peaks.set(pid, Math.max(this.peaks.get(pid) ?? 0, rss))
    }
  }
}
