export type * from './block-store.js'
export { blockKey } from './key.js'
export { MemoryBlockStore } from './memory.js'
export type { MemoryAccessOptions, MemoryBlockStoreInit } from './memory.js'
