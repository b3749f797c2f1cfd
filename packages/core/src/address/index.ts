/** Addressing: share links, the URL fragment, join URLs and mesh endpoint addresses. See README.md. */
export { FILE_KEY_BYTES, formatLink, formatLinkPath, formatPathLink, formatWebLink, parseLink, parseLinkPath } from './link.js'
export type { ParsedLink } from './link.js'
export { checkJoinToken, formatFragment, parseFragment } from './fragment.js'
export type { Fragment } from './fragment.js'
export { formatJoinUrl, formatPeerUrl, parseJoinUrl, parseMeshAddress } from './join-url.js'
export type { MeshTarget } from './join-url.js'
export { checkDialAddress, MESH_PATH, meshAddressOf, normalizeMeshAddress, originOfMeshAddress, parseHttpUrl } from './mesh-url.js'
