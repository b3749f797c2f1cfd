/** Helpers shared by the wire tests (kept out of dist). */

/** The `code` of what `fn` throws: 'no error', or 'untyped …' for an error without one. */
export function codeOf (fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    return (err as { code?: string }).code ?? `untyped ${String(err)}`
  }
  return 'no error'
}
