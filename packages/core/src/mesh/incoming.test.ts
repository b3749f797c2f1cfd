import { describe, expect, it } from 'vitest'
import { ProtocolError } from '../errors.js'
import type { PutMessage } from '../wire/messages.js'
import { IncomingRequests } from './incoming.js'
import { encodeRecord } from '../store/record.js'
import { makeBlock } from '../../test/support/mesh.js'

describe('incoming requests', () => {
  it('admits requests up to the in-flight limit and frees them when done', () => {
    const incoming = new IncomingRequests({ maxIncomingRequests: 2, maxIncomingPuts: 1 })
    expect(incoming.admit(1)).toBe(true)
    expect(() => incoming.admit(1)).toThrow(ProtocolError)
    expect(incoming.admit(2)).toBe(true)
    expect(incoming.admit(3)).toBe(false)
    incoming.done(1)
    expect(incoming.admit(3)).toBe(true)
  })

  it('reassembles puts in parts and bounds the puts in flight', async () => {
    const { cid, bytes } = await makeBlock(10, 1)
    const part = (id: number, offset: number, length: number): PutMessage =>
      ({ t: 'put', id, cid: cid.bytes, offset, total: 10, data: bytes.subarray(offset, offset + length) })
    const incoming = new IncomingRequests({ maxIncomingRequests: 4, maxIncomingPuts: 1 })
    expect(incoming.putPart(part(1, 0, 4))).toBeUndefined()
    expect(incoming.putPart(part(2, 0, 4))).toBe('limit')
    const req = incoming.putPart({ ...part(1, 4, 6), replicas: 3 })
    expect(req).toMatchObject({ t: 'put', id: 1, bytes, replicas: 3 })
    expect(() => incoming.putPart(part(1, 0, 10))).toThrow(ProtocolError)
    incoming.done(1)
    expect(() => incoming.putPart(part(5, 3, 2))).toThrow(ProtocolError)
    expect(incoming.putPart(part(6, 0, 10))).toMatchObject({ id: 6 })
  })

  it('keeps the record of a put sent in parts from its first part', async () => {
    const { cid, bytes } = await makeBlock(10, 2)
    const incoming = new IncomingRequests({ maxIncomingRequests: 4, maxIncomingPuts: 1 })
    const record = encodeRecord({ replicas: 2, expires: 1_900_000_000_000 })
    expect(incoming.putPart({ t: 'put', id: 1, cid: cid.bytes, offset: 0, total: 10, data: bytes.subarray(0, 4), record })).toBeUndefined()
    const req = incoming.putPart({ t: 'put', id: 1, cid: cid.bytes, offset: 4, total: 10, data: bytes.subarray(4) })
    expect(req).toMatchObject({ t: 'put', id: 1, bytes, record: { replicas: 2, expires: 1_900_000_000_000 } })
  })
})
