export * from './id.js'
export type { BlockSource, GetBlock, GetBlockOptions } from './source.js'
