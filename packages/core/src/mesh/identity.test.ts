import { describe, expect, it } from 'vitest'
import { InvalidKeyError } from '../errors.js'
import { exportIdentity, generateIdentity, importIdentity, peerIdFromPublicKey, publicKeyFromPeerId, sign, verifySignature } from './identity.js'

describe('identity', () => {
  it('derives a base32 peer id from which the public key is recovered', async () => {
    const id = await generateIdentity()
    expect(id.peerId).toMatch(/^b[a-z2-7]+$/)
    expect(id.peerId.length).toBeLessThanOrEqual(128)
    expect(peerIdFromPublicKey(id.publicKey)).toBe(id.peerId)
    expect(publicKeyFromPeerId(id.peerId)).toEqual(id.publicKey)
  })

  it('round-trips an extractable identity through export and import', async () => {
    const id = await generateIdentity({ extractable: true })
    const imported = await importIdentity(await exportIdentity(id))
    expect(imported.peerId).toBe(id.peerId)
    const data = new TextEncoder().encode('hello')
    expect(await verifySignature(id.publicKey, await sign(imported, data), data)).toBe(true)
  })

  it('keeps keys non-extractable by default', async () => {
    const id = await generateIdentity()
    expect(id.privateKey.extractable).toBe(false)
    await expect(exportIdentity(id)).rejects.toThrow()
  })

  it('refuses an identity whose keys do not belong together', async () => {
    const a = await generateIdentity({ extractable: true })
    const b = await generateIdentity({ extractable: true })
    const { decode, encode } = await import('cborg')
    const fields = decode(await exportIdentity(a)) as { privateKey: Uint8Array }
    const mixed = encode({ privateKey: fields.privateKey, publicKey: b.publicKey })
    await expect(importIdentity(mixed)).rejects.toBeInstanceOf(InvalidKeyError)
    await expect(importIdentity(new Uint8Array([1, 2, 3]))).rejects.toBeInstanceOf(InvalidKeyError)
  })

  it('rejects peer ids that hold no Ed25519 key', () => {
    expect(() => publicKeyFromPeerId('bafkreiabc')).toThrow(InvalidKeyError)
    expect(() => publicKeyFromPeerId('not base32')).toThrow(InvalidKeyError)
  })
})
