/** HTTP `Range: bytes=…` for one range (what media elements send). */
export interface ByteRange { start: number, end: number }

/**
 * The range a `Range` header asks for in a body of `size` bytes: `undefined`
 * for no (or an unsupported multi-range) header, which is answered in full;
 * 'unsatisfiable' for a range that starts past the end.
 */
export function parseRange (header: string | null, size: number): ByteRange | undefined | 'unsatisfiable' {
  if (header === null) return undefined
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (match === null) return undefined
  const [, first = '', last = ''] = match
  if (first === '' && last === '') return undefined
  if (first === '') {
    const suffix = Number(last)
    if (suffix === 0) return 'unsatisfiable'
    return { start: Math.max(0, size - suffix), end: size - 1 }
  }
  const start = Number(first)
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1)
  if (start >= size || end < start) return 'unsatisfiable'
  return { start, end }
}

/** `filename*` (RFC 6266 / 5987) with a plain ASCII fallback. */
export function contentDisposition (kind: 'attachment' | 'inline', name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\]/g, '_')
  const encoded = encodeURIComponent(name).replace(/['()*]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encoded}`
}
