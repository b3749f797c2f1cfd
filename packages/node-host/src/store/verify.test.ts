import { describe, it, expect } from 'vitest'
import { IntegrityError, blockId, verifyBlock } from '@cairn/core'
import { verifyBlockNode } from './verify.js'

describe('verifyBlockNode', () => {
  it('agrees with the Web Crypto verifyBlock on good and tampered blocks', async () => {
    for (const size of [0, 1, 16_400, 1_049_600]) {
      const bytes = new Uint8Array(size).map((_, i) => (i * 31 + size) & 0xff)
      const id = await blockId(bytes)
      await expect(verifyBlockNode(id, bytes)).resolves.toBeUndefined()
      await expect(verifyBlock(id, bytes)).resolves.toBeUndefined()
      const other = await blockId(new Uint8Array([size & 0xff, 1]))
      await expect(verifyBlockNode(other, bytes)).rejects.toBeInstanceOf(IntegrityError)
      if (size > 0) {
        const tampered = bytes.slice()
        tampered[size - 1] = (tampered[size - 1] ?? 0) ^ 1
        await expect(verifyBlockNode(id, tampered)).rejects.toBeInstanceOf(IntegrityError)
      }
    }
  })
})
