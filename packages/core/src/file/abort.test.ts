import { describe, expect, it } from 'vitest'
import { AbortError } from '../errors.js'
import { abortable } from './abort.js'

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
