/**
 * Resolves after `ms`, when `signal` aborts, or when `wake` fires an
 * `event` (whichever comes first), and leaves no timer or listener behind.
 * Never rejects: the caller looks at `signal` to tell why.
 */
export async function pause (ms: number, signal: AbortSignal, wake?: { target: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>, event: string }): Promise<void> {
  await new Promise<void>(resolve => {
    const done = (): void => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      wake?.target.removeEventListener(wake.event, done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done)
    wake?.target.addEventListener(wake.event, done)
    if (signal.aborted) done()
  })
}
