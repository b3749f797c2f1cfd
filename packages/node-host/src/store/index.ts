export { FsBlockStore } from './fs.js'
export { verifyBlockNode } from './verify.js'
export type { FsBlockStoreInit, FsckOptions, FsckResult } from './fs.js'
