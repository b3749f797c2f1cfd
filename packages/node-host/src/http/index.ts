export { staticHandler, resolveUnder, type RequestHandler } from './static.js'
export { contentTypeOf, mediaTypeOf } from './content-types.js'
export { PLACEHOLDER_HTML } from './placeholder.js'
export { defaultWebRoot } from './web-root.js'
