export { FsBlockStore } from './fs.js'
export type { FsBlockStoreInit, FsckOptions, FsckResult } from './fs.js'
