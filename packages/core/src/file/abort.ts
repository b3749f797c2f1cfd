import { AbortError } from '../errors.js'

/** Throw `AbortError` (keeping the signal's reason as cause) if `signal` has fired. */
export function throwIfAborted (signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new AbortError('aborted', { cause: signal.reason })
}

/** Settle with `promise`, or reject with `AbortError` as soon as `signal` fires. */
export async function abortable<T> (promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return await promise
  if (signal.aborted) {
    promise.catch(() => {}) // its own failure is secondary to the abort, and must not go unhandled
    throwIfAborted(signal)
  }
  let onAbort: (() => void) | undefined
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(new AbortError('aborted', { cause: signal.reason }))
    signal.addEventListener('abort', onAbort, { once: true })
  })
  try {
    return await Promise.race([promise, aborted])
  } finally {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort)
  }
}

/** A controller that also aborts when `signal` does; `dispose` stops listening to it. */
export function linkedController (signal: AbortSignal | undefined): { controller: AbortController, dispose: () => void } {
  const controller = new AbortController()
  if (signal === undefined) return { controller, dispose: () => {} }
  const onAbort = (): void => controller.abort(signal.reason)
  if (signal.aborted) onAbort()
  else signal.addEventListener('abort', onAbort, { once: true })
  return { controller, dispose: () => signal.removeEventListener('abort', onAbort) }
}

/**
 * Child signals of `parent` for many short tasks: each child aborts when the
 * parent does, through the parent's one listener (not one listener per task,
 * and nothing derived from the parent is kept once a task is `done`: work that
 * derives signals per request, `AbortSignal.any`, ties them to the child).
 */
export function childSignals (parent: AbortSignal): () => { signal: AbortSignal, done: () => void } {
  const children = new Set<AbortController>()
  parent.addEventListener('abort', () => { for (const child of children) child.abort(parent.reason) }, { once: true })
  return () => {
    const child = new AbortController()
    if (parent.aborted) child.abort(parent.reason)
    children.add(child)
    return { signal: child.signal, done: () => { children.delete(child) } }
  }
}

const derivers = new WeakMap<AbortSignal, () => { signal: AbortSignal, done: () => void }>()

/**
 * A signal that aborts with `parent`, for one of many short tasks sharing it
 * (a block's fetch or put among a pipeline's): `childSignals` of `parent`,
 * made at the first call and kept as long as `parent` lives. So `parent` gets
 * one listener however many tasks derive from it, and each task a plain
 * AbortController, where `AbortSignal.any` per block showed in CPU profiles of
 * `cairn get` (~2% of samples: in Node, a WeakRef each way and a finalizer per
 * signal). Call `done` once the task has ended.
 */
export function derivedSignal (parent: AbortSignal): { signal: AbortSignal, done: () => void } {
  let derive = derivers.get(parent)
  if (derive === undefined) {
    derive = childSignals(parent)
    derivers.set(parent, derive)
  }
  return derive()
}
