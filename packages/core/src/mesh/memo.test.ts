import { describe, expect, it } from 'vitest'
import { memoAsync } from './memo.js'

describe('memoAsync', () => {
  it('derives each key once while it is among the latest `size`, then again', async () => {
    const calls: string[] = []
    const memo = memoAsync(2, async (key: string) => { calls.push(key); return { key } })
    const a = await memo('a')
    expect(await memo('a')).toBe(a)
    await memo('b')
    await memo('c') // 'a' is the oldest of three: forgotten
    expect(await memo('b')).toEqual({ key: 'b' })
    expect(await memo('a')).not.toBe(a)
    expect(calls).toEqual(['a', 'b', 'c', 'a'])
  })

  it('shares one derivation between callers that ask at once', async () => {
    let calls = 0
    const memo = memoAsync(8, async (key: string) => { calls++; return key.length })
    expect(await Promise.all([memo('xyz'), memo('xyz'), memo('xyz')])).toEqual([3, 3, 3])
    expect(calls).toBe(1)
  })

  it('forgets a failed derivation, so the next call tries again', async () => {
    let calls = 0
    const memo = memoAsync(8, async (key: string) => {
      calls++
      if (calls === 1) throw new Error('first try fails')
      return key
    })
    await expect(memo('k')).rejects.toThrow('first try fails')
    expect(await memo('k')).toBe('k')
    expect(calls).toBe(2)
  })
})
