/**
 * Validation of a manifest's metadata fields. Every check throws
 * `ManifestError` naming the field; nothing here trusts its input.
 */
import { ManifestError } from '../errors.js'
import { HEADER_SIZE } from '../crypto/geometry.js'

/** What a reader learns about a file before streaming it. */
export interface FileInfo {
  /** File name: 1–255 UTF-8 bytes, no `/`, no control characters, not `.` or `..`. */
  name: string
  /** Media type: 1–127 printable ASCII characters. */
  type: string
  /** Plaintext bytes, 0 … `MAX_FILE_SIZE`. */
  size: number
  /** Modification time, integer milliseconds since the Unix epoch. */
  mtime: number
}

/**
 * Largest file a manifest can describe: 512 TiB. The two-level manifest
 * (root → continuation blocks → content blocks, each manifest block at most
 * one block long) tops out near 700 TiB, so 2^49 is the round cap below it.
 */
export const MAX_FILE_SIZE = 2 ** 49

export const MAX_NAME_BYTES = 255
export const MAX_TYPE_LENGTH = 127
export const DEFAULT_MEDIA_TYPE = 'application/octet-stream'
/** The range of a JavaScript `Date`, in milliseconds. */
export const MAX_MTIME = 8.64e15

const encoder = new TextEncoder()
// With the `u` flag a surrogate pair is one code point, so this matches lone surrogates only.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u
// eslint-disable-next-line no-control-regex
const FORBIDDEN_NAME_CHAR = /[\u0000-\u001f\u007f/]/
const MEDIA_TYPE = /^[\x20-\x7e]+$/

export function validateName (name: unknown): string {
  if (typeof name !== 'string') throw new ManifestError('manifest name: not a string')
  const bytes = encoder.encode(name).length
  if (bytes === 0 || bytes > MAX_NAME_BYTES) {
    throw new ManifestError(`manifest name: ${bytes} UTF-8 bytes, must be 1–${MAX_NAME_BYTES}`)
  }
  if (FORBIDDEN_NAME_CHAR.test(name)) throw new ManifestError('manifest name: contains "/" or a control character')
  if (LONE_SURROGATE.test(name)) throw new ManifestError('manifest name: not well-formed Unicode')
  if (name === '.' || name === '..') throw new ManifestError('manifest name: may not be "." or ".."')
  return name
}

export function validateType (type: unknown): string {
  if (typeof type !== 'string' || type.length === 0 || type.length > MAX_TYPE_LENGTH || !MEDIA_TYPE.test(type)) {
    throw new ManifestError(`manifest type: must be 1–${MAX_TYPE_LENGTH} printable ASCII characters`)
  }
  return type
}

export function validateSize (size: unknown): number {
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0 || size > MAX_FILE_SIZE) {
    throw new ManifestError(`manifest size: must be an integer 0–${MAX_FILE_SIZE}`)
  }
  return size
}

export function validateMtime (mtime: unknown): number {
  if (typeof mtime !== 'number' || !Number.isSafeInteger(mtime) || Math.abs(mtime) > MAX_MTIME) {
    throw new ManifestError('manifest mtime: must be integer milliseconds within the Date range')
  }
  return mtime
}

export function validateHeader (header: unknown): Uint8Array {
  if (!(header instanceof Uint8Array) || header.length !== HEADER_SIZE) {
    throw new ManifestError(`manifest header: must be ${HEADER_SIZE} bytes`)
  }
  return header
}

export function validateFileInfo (info: FileInfo): FileInfo {
  return {
    name: validateName(info.name),
    type: validateType(info.type),
    size: validateSize(info.size),
    mtime: validateMtime(info.mtime)
  }
}
