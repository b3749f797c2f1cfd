export {
  PLAIN_CHUNK_SIZE, CHUNK_OVERHEAD, SEALED_CHUNK, CHUNKS_PER_BLOCK, BLOCK_SIZE, BLOCK_PLAINTEXT,
  CONTENT_HEADER_SIZE, CONTENT_CONTEXT, MANIFEST_CONTEXT, MAX_FILE_SIZE, bodyLength, blockCount, blockLength
} from './layout.js'
export * from './manifest-fields.js'
export { MANIFEST_VERSION, MAX_LIST_BLOCKS, MAX_PARTS, encodeRoot, encodeContinuation, decodeRoot, decodeContinuation } from './manifest.js'
export type { ManifestPart, BlockList, RootManifest } from './manifest.js'
export { sealManifestBlock, openManifestBlock, loadManifestBlock } from './manifest-block.js'
export { OpenManifest } from './manifest-reader.js'
export type { BlockSink, PutOptions } from './put-queue.js'
export { addFile, DEFAULT_PUT_CONCURRENCY } from './add.js'
export type { FileMeta, AddInit, AddResult } from './add.js'
export { openFile, readFile, DEFAULT_READ_AHEAD } from './read.js'
export type { ReadRange, ReadInit, OpenedFile } from './read.js'
