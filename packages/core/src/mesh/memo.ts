/**
 * `derive` memoised by key, for slow derivations a process repeats (the
 * handshake's KDFs: a node, or many in one test, pays each once). The latest
 * `size` keys are kept, the oldest forgotten first; a derivation that fails
 * is forgotten, so the next call tries again.
 */
export function memoAsync<T> (size: number, derive: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const cache = new Map<string, Promise<T>>()
  return async (key) => {
    let value = cache.get(key)
    if (value === undefined) {
      value = derive(key)
      cache.set(key, value)
      value.catch(() => { if (cache.get(key) === value) cache.delete(key) })
      if (cache.size > size) cache.delete(cache.keys().next().value as string)
    }
    return await value
  }
}
