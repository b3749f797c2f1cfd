/**
 * Wraps an async generator so that once it has thrown, every further next()
 * rejects with the same error instead of reporting a clean end: a reader that
 * ignores one failure cannot mistake the stream for a complete message.
 */
export function stickyFailure<T> (generator: AsyncGenerator<T, void, undefined>): AsyncIterableIterator<T> {
  let failure: { error: unknown } | undefined
  const rethrow = (): void => {
    if (failure !== undefined) throw failure.error
  }
  return {
    async next (): Promise<IteratorResult<T, void>> {
      rethrow()
      let result: IteratorResult<T, void>
      try {
        result = await generator.next()
      } catch (error) {
        failure ??= { error }
        throw error
      }
      // A next() queued behind the one that failed finds the generator finished: still a failure.
      if (result.done === true) rethrow()
      return result
    },
    async return (): Promise<IteratorResult<T, void>> {
      return await generator.return(undefined)
    },
    [Symbol.asyncIterator] () {
      return this
    }
  }
}
