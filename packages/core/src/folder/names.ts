/**
 * Names inside a folder. Each entry is one path component: a file name as
 * `validateName` takes it (1–255 UTF-8 bytes, no `/`, no control character,
 * not `.` or `..`, well-formed Unicode) and no `\` either (a separator on
 * Windows), so no entry can name a parent, an absolute path or a drive.
 *
 * Entries of one directory are ordered by `foldName` (NFC, then lower case)
 * and must be strictly increasing in it: duplicates and names that collide on
 * a case-insensitive or normalising file system (`Read.me`, `READ.ME`) are
 * rejected by comparing each name with the one before it, in constant memory
 * however many entries a directory has.
 */
import { ManifestError } from '../errors.js'
import { validateName } from '../file/manifest-fields.js'

/** The key entries are ordered and compared by. */
export function foldName (name: string): string {
  return name.normalize('NFC').toLowerCase()
}

/** Compare two strings by UTF-16 code units (the same in every engine, unlike `localeCompare`). */
export function compareText (a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** A name as a folder entry takes it; `ManifestError` otherwise. */
export function validateEntryName (name: unknown): string {
  let valid: string
  try {
    valid = validateName(name)
  } catch (cause) {
    if (!(cause instanceof ManifestError)) throw cause
    throw new ManifestError(cause.message.replace(/^manifest name: /, 'folder entry name: '), { cause })
  }
  if (valid.includes('\\')) throw new ManifestError('folder entry name: contains "\\"')
  return valid
}

/** Checks that names arrive strictly increasing by `foldName`. */
export class NameOrder {
  #previous: { name: string, fold: string } | undefined

  /** `name` must fold strictly after the previous one; a `ManifestError` names the collision otherwise. */
  next (name: string): void {
    const fold = foldName(name)
    const previous = this.#previous
    if (previous !== undefined) {
      const order = compareText(previous.fold, fold)
      if (order === 0) {
        throw new ManifestError(previous.name === name
          ? `folder: duplicate entry "${shown(name)}"`
          : `folder: entries "${shown(previous.name)}" and "${shown(name)}" collide on a case-insensitive file system`)
      }
      if (order > 0) throw new ManifestError('folder: entries out of order')
    }
    this.#previous = { name, fold }
  }
}

/** `name` for a message: at most 64 characters. */
export function shown (name: string): string {
  return name.length > 64 ? `${name.slice(0, 64)}…` : name
}
