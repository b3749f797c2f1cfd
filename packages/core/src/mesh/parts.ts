import { ProtocolError } from '../errors.js'
import { MAX_BLOCK_SIZE } from '../crypto/geometry.js'
import { FRAME_OVERHEAD } from '../wire/limits.js'

/** Bytes of block data per `block`/`put` frame on a connection. */
export function partSize (maxFrameSize: number, total: number): number {
  return Math.max(1, Math.min(total, maxFrameSize - FRAME_OVERHEAD))
}

/** `[offset, data]` parts of `bytes`; an empty block is one empty part. */
export function * splitParts (bytes: Uint8Array, maxFrameSize: number): Generator<{ offset: number, data: Uint8Array }> {
  const size = partSize(maxFrameSize, bytes.length)
  let offset = 0
  do {
    const data = bytes.subarray(offset, Math.min(bytes.length, offset + size))
    yield { offset, data }
    offset += data.length
  } while (offset < bytes.length)
}

/**
 * Rebuilds a block from in-order parts. The buffer is allocated once, from
 * the first part's `total` (at most `MAX_BLOCK_SIZE`); any gap, overlap or
 * change of `total` is a protocol violation.
 */
export class PartAssembler {
  readonly total: number
  private buffer: Uint8Array | undefined
  private received = 0

  constructor (total: number) {
    if (!Number.isSafeInteger(total) || total < 0 || total > MAX_BLOCK_SIZE) {
      throw new ProtocolError(`block of ${total} bytes is over the limit`)
    }
    this.total = total
  }

  /** Add the next part; returns the whole block once complete. */
  add (offset: number, total: number, data: Uint8Array): Uint8Array | undefined {
    if (total !== this.total) throw new ProtocolError('block total changed between parts')
    if (offset !== this.received) throw new ProtocolError('block part out of order')
    if (offset + data.length > total) throw new ProtocolError('block part runs past total')
    if (data.length === 0 && total > 0) throw new ProtocolError('empty block part')
    if (offset === 0 && data.length === total) {
      this.received = total
      return data
    }
    this.buffer ??= new Uint8Array(total)
    this.buffer.set(data, offset)
    this.received += data.length
    return this.received === total ? this.buffer : undefined
  }
}
