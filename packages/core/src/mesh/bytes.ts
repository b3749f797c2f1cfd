/** Small byte helpers shared by the mesh modules. */
import { concatBytes } from '../bytes.js'

export { concatBytes }

const encoder = new TextEncoder()

export function utf8 (text: string): Uint8Array {
  return encoder.encode(text)
}

/** Web Crypto wants `ArrayBuffer`-backed views; ours always are. */
export function bufferSource (bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes as Uint8Array<ArrayBuffer>
}

/** `part` preceded by its length as a 32-bit big-endian integer. */
export function lengthPrefixed (part: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + part.length)
  new DataView(out.buffer).setUint32(0, part.length)
  out.set(part, 4)
  return out
}

export function toHex (bytes: Uint8Array): string {
  let hex = ''
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0')
  return hex
}

export function randomBytes (length: number): Uint8Array<ArrayBuffer> {
  return crypto.getRandomValues(new Uint8Array(length))
}

/** Wait for `promise` to settle, or at most `ms`; never rejects. */
export async function settleWithin (promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  await Promise.race([
    promise.then(() => {}, () => {}),
    new Promise<void>(resolve => { timer = setTimeout(resolve, ms) })
  ])
  clearTimeout(timer)
}
