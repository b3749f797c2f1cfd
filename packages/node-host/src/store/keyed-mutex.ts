/**
 * Serializes async operations that share a key (a block id), while operations
 * on different keys run concurrently.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>()

  async run<T> (key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key)
    let release!: () => void
    const mine = new Promise<void>(resolve => { release = resolve })
    const tail = previous === undefined ? mine : previous.then(async () => mine)
    this.tails.set(key, tail)
    try {
      await previous
      return await fn()
    } finally {
      release()
      if (this.tails.get(key) === tail) this.tails.delete(key)
    }
  }

  /** Resolves once every operation started so far has finished. */
  async idle (): Promise<void> {
    while (this.tails.size > 0) await Promise.all(this.tails.values())
  }
}
