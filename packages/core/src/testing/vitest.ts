/** Vitest wrappers that register the compliance suites' cases as tests. */
import { describe, it } from 'vitest'
import { blockStoreCases } from '../store/suite.js'
import type { BlockStoreFactory } from '../store/suite.js'
import { connectionCases } from '../transport/suite.js'
import type { ConnectionCasesInit, ConnectionFactory } from '../transport/suite.js'

/** `blockStoreSuite('FsBlockStore', () => openTempStore())` */
export function blockStoreSuite (name: string, factory: BlockStoreFactory): void {
  describe(name, () => {
    for (const c of blockStoreCases(factory)) it(c.name, c.fn)
  })
}

/** `connectionSuite('memoryPair', async () => memoryPair())` */
export function connectionSuite (name: string, factory: ConnectionFactory, init?: ConnectionCasesInit): void {
  describe(name, () => {
    for (const c of connectionCases(factory, init)) it(c.name, c.fn)
  })
}
