import { describe, expect, it } from 'vitest'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { blockId, verifyBlock } from './id.js'

describe('blockId', () => {
  it('names bytes exactly as multiformats sha2-256 + raw does', async () => {
    for (const length of [0, 1, 55, 56, 64, 16400, 1_049_600]) {
      const bytes = new Uint8Array(length).map((_, i) => (i * 31 + length) & 0xff)
      const expected = CID.createV1(raw.code, await sha256.digest(bytes))
      const id = await blockId(bytes)
      expect(id.toString()).toBe(expected.toString())
      expect(id.equals(expected)).toBe(true)
      await verifyBlock(id, bytes)
    }
  })

  it('hashes only the view it is given', async () => {
    const backing = new Uint8Array(100).fill(7)
    const view = backing.subarray(10, 20)
    expect((await blockId(view)).equals(await blockId(view.slice()))).toBe(true)
  })

  it('verifyBlock rejects bytes that do not hash to the id with IntegrityError', async () => {
    const bytes = new Uint8Array([1, 2, 3])
    const id = await blockId(bytes)
    await expect(verifyBlock(id, new Uint8Array([1, 2, 4]))).rejects.toMatchObject({ code: 'ERR_INTEGRITY' })
  })
})
