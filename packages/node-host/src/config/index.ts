export * from './errors.js'
export * from './size.js'
export * from './join-url.js'
export * from './data-dir.js'
