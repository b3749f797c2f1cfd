import { describe, expect, it } from 'vitest'
import { AbortError } from '../errors.js'
import { abortable, derivedSignal } from './abort.js'

describe('abortable', () => {
  it('with a signal already aborted, the promise it was given is still handled (no unhandled rejection)', async () => {
    let handled = false
    /** A promise that records whether anyone attached a handler. */
    class Watched<T> extends Promise<T> {
      override then<A = T, B = never> (ok?: ((value: T) => A | PromiseLike<A>) | null, fail?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
        handled = true
        return super.then(ok, fail)
      }
    }
    const controller = new AbortController()
    controller.abort()
    // As a folder's file does on Ctrl-C: its read fails because the same interrupt aborted it.
    const failing = Watched.reject(new Error('the source failed too')) as Promise<never>
    await expect(abortable(failing, controller.signal)).rejects.toBeInstanceOf(AbortError)
    expect(handled).toBe(true)
  })
})

describe('derivedSignal', () => {
  it('gives each task its own signal through one listener on the shared one, aborted with its reason while the task runs', () => {
    const parent = new AbortController()
    // Count 'abort' listeners on the shared signal without a platform API (core stays isomorphic).
    let listeners = 0
    const add = parent.signal.addEventListener.bind(parent.signal)
    parent.signal.addEventListener = ((type: string, ...rest: [EventListenerOrEventListenerObject, AddEventListenerOptions?]) => {
      if (type === 'abort') listeners++
      add(type, ...rest)
    }) as typeof parent.signal.addEventListener
    const tasks = Array.from({ length: 50 }, () => derivedSignal(parent.signal))
    expect(new Set(tasks.map(t => t.signal)).size).toBe(50)
    expect(listeners).toBe(1)
    for (const task of tasks.slice(0, 10)) task.done()
    const reason = new Error('stop')
    parent.abort(reason)
    expect(tasks.slice(0, 10).map(t => t.signal.aborted)).toEqual(Array(10).fill(false))
    expect(tasks.slice(10).map(t => t.signal.reason)).toEqual(Array(40).fill(reason))
    // Derived after the abort: aborted at once.
    expect(derivedSignal(parent.signal).signal.reason).toBe(reason)
  })
})
