import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import * as root from '../src/index.js'
import * as crypto from '../src/crypto/index.js'
import * as mesh from '../src/mesh/index.js'
import * as wire from '../src/wire/index.js'
import * as testing from '../src/testing/index.js'

const entries: Record<string, object> = { '.': root, './crypto': crypto, './mesh': mesh, './wire': wire, './testing': testing }

describe('@cairn/core entry points', () => {
  it('are the ones package.json exports', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { exports: Record<string, unknown> }
    expect(Object.keys(pkg.exports).sort()).toEqual(Object.keys(entries).sort())
  })

  it('give every runtime name one home', () => {
    const homes = new Map<string, string[]>()
    for (const [entry, names] of Object.entries(entries)) {
      for (const name of Object.keys(names)) homes.set(name, [...homes.get(name) ?? [], entry])
    }
    const repeated = [...homes].filter(([, where]) => where.length > 1)
    expect(repeated).toEqual([])
  })

  it('keep wire and mesh internals out of the root', () => {
    for (const name of ['encodeMessage', 'decodeMessage', 'FrameQueue', 'MAX_FRAME_SIZE', 'rankPeers', 'keepDialing', 'ChunkCipher', 'MemoryBlockStore', 'encodeRoot']) {
      expect(Object.keys(root)).not.toContain(name)
    }
    for (const name of ['addFile', 'openFile', 'readFile', 'parseLink', 'MeshNode', 'encryptStream', 'decryptStream', 'CairnError', 'blockId']) {
      expect(Object.keys(root)).toContain(name)
    }
  })
})
