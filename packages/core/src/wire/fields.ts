import { decodeBlockId } from '../block/id.js'
import { MalformedFrameError } from '../errors.js'

/**
 * Small composable field checks for the message schemas. Each throws
 * `MalformedFrameError` naming the offending path; none allocates.
 */
export type Check = (value: unknown, path: string) => void

export interface Field {
  readonly check: Check
  readonly optional: boolean
}

export type Fields = Readonly<Record<string, Field>>

export function fail (path: string, reason: string, cause?: unknown): never {
  throw new MalformedFrameError(`malformed frame: ${path} ${reason}`, cause === undefined ? undefined : { cause })
}

export const required = (check: Check): Field => ({ check, optional: false })
export const optional = (check: Check): Field => ({ check, optional: true })

/** An integer in `[min, max]` (never a float, never beyond 2^53 - 1). */
export function uint (max: number, min = 0): Check {
  return (value, path) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) fail(path, 'is not an integer')
    if (value < min || value > max) fail(path, `is outside ${min}..${max}`)
  }
}

export const uint32 = uint(0xffffffff)
export const safeUint = uint(Number.MAX_SAFE_INTEGER)

export const bool: Check = (value, path) => {
  if (typeof value !== 'boolean') fail(path, 'is not a boolean')
}

/** A byte string of exactly `length` bytes. */
export function bytesOf (length: number): Check {
  return (value, path) => {
    if (!(value instanceof Uint8Array)) fail(path, 'is not a byte string')
    if (value.length !== length) fail(path, `is not ${length} bytes`)
  }
}

/** A byte string of at most `max` bytes. */
export function bytesUpTo (max: number): Check {
  return (value, path) => {
    if (!(value instanceof Uint8Array)) fail(path, 'is not a byte string')
    if (value.length > max) fail(path, `is longer than ${max} bytes`)
  }
}

/** A block id in binary form; `InvalidIdError` becomes the `cause`. */
export const cid: Check = (value, path) => {
  if (!(value instanceof Uint8Array)) fail(path, 'is not a byte string')
  try {
    decodeBlockId(value)
  } catch (cause) {
    fail(path, 'is not a block id', cause)
  }
}

const VISIBLE_ASCII = /^[\x21-\x7e]+$/

/** A non-empty identifier of visible ASCII (no spaces, no control characters). */
export function token (maxLength: number): Check {
  return (value, path) => {
    if (typeof value !== 'string') fail(path, 'is not a string')
    if (value.length > maxLength) fail(path, `is longer than ${maxLength}`)
    if (!VISIBLE_ASCII.test(value)) fail(path, 'is empty or not visible ASCII')
  }
}

const LONE_SURROGATE = /[\uD800-\uDFFF]/u

/** Any text of at most `maxLength` UTF-16 units that survives UTF-8 encoding. */
export function text (maxLength: number): Check {
  return (value, path) => {
    if (typeof value !== 'string') fail(path, 'is not a string')
    if (value.length > maxLength) fail(path, `is longer than ${maxLength}`)
    if (LONE_SURROGATE.test(value)) fail(path, 'has a lone surrogate')
  }
}

export function oneOf (values: readonly string[]): Check {
  return (value, path) => {
    if (typeof value !== 'string' || !values.includes(value)) fail(path, `is not one of ${values.join('|')}`)
  }
}

export function list (item: Check, max: number): Check {
  return (value, path) => {
    if (!Array.isArray(value)) fail(path, 'is not an array')
    if (value.length > max) fail(path, `has more than ${max} items`)
    for (let i = 0; i < value.length; i++) item(value[i], `${path}[${i}]`)
  }
}

export function isPlainObject (value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/**
 * Exactly these fields: unknown ones are rejected, required ones must be present.
 * An optional field set to `undefined` counts as absent (the encoder drops it).
 */
export function checkFields (value: unknown, fields: Fields, path: string, skip?: string): void {
  if (!isPlainObject(value)) fail(path, 'is not a map')
  for (const key of Object.keys(value)) {
    if (key === skip) continue
    if (!Object.hasOwn(fields, key)) fail(`${path}.${key}`, 'is not a known field')
  }
  for (const key of Object.keys(fields)) {
    const field = fields[key] as Field
    const item = Object.hasOwn(value, key) ? value[key] : undefined
    if (item === undefined) {
      if (!field.optional) fail(`${path}.${key}`, 'is missing')
      continue
    }
    field.check(item, `${path}.${key}`)
  }
}

export function record (fields: Fields): Check {
  return (value, path) => { checkFields(value, fields, path) }
}
