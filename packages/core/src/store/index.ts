export type * from './block-store.js'
