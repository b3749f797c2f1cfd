/**
 * Nothing hangs silently at startup. Each step the app waits on is named;
 * if startup has not finished after `STALL_MS`, the page says which steps it
 * is still waiting for (a browser prompt, a service worker, storage), instead
 * of staying blank. Startup may still finish after that: the app then
 * replaces the notice.
 */
import { header } from './app.js'
import { h } from './dom.js'

export const STALL_MS = 15_000

export class StartupWatch {
  private readonly pending = new Set<string>()
  private readonly timer: ReturnType<typeof setTimeout>
  private finished = false

  constructor (private readonly root: HTMLElement, stallMs = STALL_MS) {
    this.timer = setTimeout(() => { this.stalled(stallMs) }, stallMs)
  }

  /** Wait on `promise`, known as `name` while it is pending. */
  async step<T> (name: string, promise: Promise<T>): Promise<T> {
    this.pending.add(name)
    try {
      return await promise
    } finally {
      this.pending.delete(name)
    }
  }

  /** Startup is over (the app, a join panel or a fatal error is shown). */
  done (): void {
    this.finished = true
    clearTimeout(this.timer)
  }

  private stalled (ms: number): void {
    if (this.finished) return
    const waiting = [...this.pending]
    this.root.replaceChildren(header(), h('main', {},
      h('section', { class: 'panel' },
        h('h2', {}, 'Cairn is still starting'),
        h('p', { role: 'alert', class: 'error', 'data-testid': 'startup-stalled', 'data-waiting': waiting.join(',') },
          `After ${Math.round(ms / 1000)} s this browser is still waiting for: ${waiting.length === 0 ? 'nothing named (a bug: please report it)' : waiting.join(', ')}.`),
        h('p', { class: 'muted' }, 'Answer any prompt this browser shows, or reload the page. If it stays stuck, this browser may not support something Cairn needs.'))))
    console.error(`cairn: startup stalled, waiting for ${waiting.join(', ')}`)
  }
}
