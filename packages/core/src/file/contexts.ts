/**
 * Cobblestone context strings (UTF-8) of a Cairn file: its content is one
 * message under CONTENT_CONTEXT, each manifest block one under
 * MANIFEST_CONTEXT, all with the file key. Sizes are geometry
 * (crypto/geometry.ts).
 */
export const CONTENT_CONTEXT = 'cairn/v1/content'
export const MANIFEST_CONTEXT = 'cairn/v1/manifest'
