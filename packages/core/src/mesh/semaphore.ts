import { AbortError, ConnectionClosedError } from '../errors.js'

interface Waiter {
  resolve: () => void
  reject: (err: Error) => void
}

/** A counting semaphore: at most `limit` holders; others wait in order. */
export class Semaphore {
  readonly limit: number
  private held = 0
  private readonly waiters: Waiter[] = []
  private closed: Error | undefined

  constructor (limit: number) {
    this.limit = limit
  }

  get inUse (): number {
    return this.held
  }

  tryAcquire (): boolean {
    if (this.closed !== undefined || this.held >= this.limit) return false
    this.held++
    return true
  }

  async acquire (signal?: AbortSignal): Promise<void> {
    if (this.closed !== undefined) throw this.closed
    if (signal?.aborted === true) throw new AbortError('aborted', { cause: signal.reason })
    if (this.tryAcquire()) return
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve: () => { signal?.removeEventListener('abort', onAbort); resolve() },
        reject: (err) => { signal?.removeEventListener('abort', onAbort); reject(err) }
      }
      const onAbort = (): void => {
        const index = this.waiters.indexOf(waiter)
        if (index >= 0) this.waiters.splice(index, 1)
        waiter.reject(new AbortError('aborted', { cause: signal?.reason }))
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.waiters.push(waiter)
    })
  }

  release (): void {
    const next = this.waiters.shift()
    if (next !== undefined) next.resolve()
    else if (this.held > 0) this.held--
  }

  /** Fail every waiter and every later `acquire`. */
  close (err: Error = new ConnectionClosedError('closed')): void {
    this.closed = err
    for (const waiter of this.waiters.splice(0)) waiter.reject(err)
  }
}
