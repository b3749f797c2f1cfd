/**
 * `@cairn/core/testing`: in-memory adapters and the compliance suites every
 * adapter runs. The `*Cases` functions are framework-free (usable in a browser
 * page); `blockStoreSuite`/`connectionSuite` register them with vitest.
 */
export { MemoryBlockStore } from '../store/memory.js'
export type { MemoryBlockStoreInit } from '../store/memory.js'
export { memoryPair } from '../transport/memory.js'
export type { MemoryPairInit } from '../transport/memory.js'
export { MemoryNetwork, MemoryTransport } from '../transport/memory-network.js'
export type { MemoryTransportInit } from '../transport/memory-network.js'
export { blockStoreCases } from '../store/suite.js'
export type { BlockStoreFactory, TestCase } from '../store/suite.js'
export { connectionCases } from '../transport/suite.js'
export type { ConnectionCasesInit, ConnectionFactory } from '../transport/suite.js'
export { AssertionError, bytesEqual, equal, ok, rejectsWithCode } from './assert.js'
export { testBytes } from './bytes.js'
export { waitForStall } from './stall.js'
export type { StallInit } from './stall.js'
export { blockStoreSuite, connectionSuite } from './vitest.js'
export { FakeDialingMesh } from './dialing-mesh.js'
export type { FakeDialingMeshInit } from './dialing-mesh.js'
// Folder nodes as a hostile adder could write them: nothing checked (for tests that readers refuse them).
export { encodeFolderHeader, encodePage } from '../folder/format.js'
