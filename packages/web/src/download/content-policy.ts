/**
 * How shared file content may be presented on the app's origin. A file's
 * media type comes from whoever added it (the manifest), so it is never
 * trusted: only passive types are served inline, under their canonical name;
 * everything else (SVG, HTML, XML, PDF, unknown) is served as an
 * `application/octet-stream` attachment, which the browser only saves. Every
 * response for file content is also sandboxed (no script, opaque origin),
 * never sniffed, and never embeddable by other origins.
 */

/** What a media type may be shown as: a preview element, or nothing (download only). */
export type Preview = 'image' | 'audio' | 'video' | 'text'

export interface Presentation {
  /** `inline` only for the passive types below. */
  disposition: 'inline' | 'attachment'
  /** The Content-Type to send: a canonical passive type, or `application/octet-stream`. */
  contentType: string
  /** The preview the app may show; undefined: download only. */
  preview?: Preview
}

/** Passive types by essence: raster images, audio, video, plain text. Nothing that can hold script. */
const PASSIVE: Record<string, Preview> = {
  'image/png': 'image',
  'image/jpeg': 'image',
  'image/gif': 'image',
  'image/webp': 'image',
  'image/avif': 'image',
  'image/bmp': 'image',
  'audio/mpeg': 'audio',
  'audio/mp4': 'audio',
  'audio/aac': 'audio',
  'audio/ogg': 'audio',
  'audio/opus': 'audio',
  'audio/webm': 'audio',
  'audio/flac': 'audio',
  'audio/wav': 'audio',
  'audio/x-wav': 'audio',
  'video/mp4': 'video',
  'video/webm': 'video',
  'video/ogg': 'video',
  'text/plain': 'text'
}

const ATTACHMENT: Presentation = { disposition: 'attachment', contentType: 'application/octet-stream' }

/**
 * The CSP of every file response. `sandbox` without `allow-scripts` runs no
 * script and gives the document an opaque origin (no IndexedDB, no storage
 * of the app's). An image opened in its own tab still shows (its document
 * loads the image itself); audio and video play in the app's preview, but not
 * in a tab of their own: the opaque origin's media request is cross-origin,
 * which `Cross-Origin-Resource-Policy: same-origin` refuses.
 */
export const FILE_CSP = "sandbox; default-src 'none'"

/** Headers every response for file content carries, whatever its type. */
export const FILE_RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': FILE_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store'
}

/** How a file whose manifest says `type` is presented. Text is always sent as `text/plain`. */
export function presentation (type: string): Presentation {
  const essence = (type.split(';')[0] ?? '').trim().toLowerCase()
  const preview = Object.hasOwn(PASSIVE, essence) ? PASSIVE[essence] : undefined
  if (preview === undefined) return ATTACHMENT
  const contentType = preview === 'text' ? `text/plain; charset=${charsetOf(type)}` : essence
  return { disposition: 'inline', contentType, preview }
}

/** The `charset` parameter if it is a plain token, else utf-8. */
function charsetOf (type: string): string {
  const match = /;\s*charset="?([A-Za-z0-9._:-]{1,40})"?\s*(;|$)/i.exec(type)
  return match?.[1]?.toLowerCase() ?? 'utf-8'
}
