import { StorageFullError } from '@cairn/core'
import { describe, expect, it } from 'vitest'
import { describeError } from '../ui/errors.js'
import { asStorageFull, isQuotaExceeded } from './quota.js'

describe('the browser refusing a write for lack of space', () => {
  const quota = new DOMException('The quota has been exceeded.', 'QuotaExceededError')

  it('becomes StorageFullError, keeping the browser error as its cause', () => {
    const err = asStorageFull(quota, 'add journal')
    expect(err).toBeInstanceOf(StorageFullError)
    expect((err as StorageFullError).code).toBe('ERR_STORAGE_FULL')
    expect((err as StorageFullError).cause).toBe(quota)
    expect((err as Error).message).toContain('add journal')
  })

  it('leaves every other error as it was', () => {
    const other = new DOMException('nope', 'InvalidStateError')
    expect(isQuotaExceeded(other)).toBe(false)
    expect(asStorageFull(other, 'x')).toBe(other)
    const plain = new Error('boom')
    expect(asStorageFull(plain, 'x')).toBe(plain)
  })

  it('is shown with the storage-full code even if a writer let it through raw', () => {
    const shown = describeError(quota)
    expect(shown.code).toBe('ERR_STORAGE_FULL')
    expect(shown.summary).toMatch(/storage for Cairn is full/)
  })
})
