/** Byte helpers shared across core (no platform APIs). */

/** One new array holding `parts` end to end. */
export function concatBytes (parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  let length = 0
  for (const part of parts) length += part.length
  const out = new Uint8Array(length)
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

/** Everything an async source yields, in one array. */
export async function collectBytes (source: AsyncIterable<Uint8Array>): Promise<Uint8Array<ArrayBuffer>> {
  const parts: Uint8Array[] = []
  for await (const part of source) parts.push(part)
  return concatBytes(parts)
}
