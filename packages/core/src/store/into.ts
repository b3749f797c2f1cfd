import { InvalidArgumentError } from '../errors.js'

/**
 * The buffer `into` (`StoreGetOptions.into`) gives for a block of `length`
 * bytes, checked to be exactly that long: what a store reads or copies the block into.
 */
export function intoBuffer (into: (length: number) => Uint8Array, length: number): Uint8Array {
  const buffer = into(length)
  if (buffer.length !== length) throw new InvalidArgumentError(`into gave ${buffer.length} bytes for a block of ${length}`)
  return buffer
}
