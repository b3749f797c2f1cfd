import { describe, expect, it } from 'vitest'
import { RecordCache } from './record-cache.js'

describe('RecordCache', () => {
  it('does not remember a read that overlapped a write or a removal', () => {
    const cache = new RecordCache()
    const before = cache.generation
    cache.set('a', { replicas: 3 })
    cache.remember('a', { replicas: 1 }, before)
    expect(cache.get('a')).toEqual({ replicas: 3 })
    const beforeForget = cache.generation
    cache.forget('a')
    cache.remember('a', { replicas: 1 }, beforeForget)
    expect(cache.get('a')).toBeUndefined()
    cache.remember('a', null, cache.generation)
    expect(cache.get('a')).toBeNull()
  })

  it('keeps the latest keys up to its size, the least recently used forgotten first', () => {
    const cache = new RecordCache(2)
    cache.set('a', { replicas: 1 })
    cache.set('b', { replicas: 2 })
    expect(cache.get('a')).toEqual({ replicas: 1 })
    cache.set('c', { replicas: 3 })
    expect(cache.get('b')).toBeUndefined()
    expect(cache.get('a')).toEqual({ replicas: 1 })
    expect(cache.get('c')).toEqual({ replicas: 3 })
  })

  it('keeps its own copies: an owner tag viewing a larger buffer is not kept, a caller cannot change an entry', () => {
    const cache = new RecordCache()
    const frame = new Uint8Array(1024 * 1024)
    const record = { replicas: 2, owner: frame.subarray(100, 132) }
    cache.set('a', record)
    record.replicas = 5
    frame.fill(7)
    const got = cache.get('a')!
    expect(got).toEqual({ replicas: 2, owner: new Uint8Array(32) })
    expect(got.owner!.buffer.byteLength).toBe(32)
    got.owner![0] = 1
    expect(cache.get('a')!.owner).toEqual(new Uint8Array(32))
  })
})
