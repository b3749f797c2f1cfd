/**
 * Folders from someone else: every node a reader opens may be crafted. Each
 * case seals a hostile node as a real folder would be (a file of FOLDER_TYPE)
 * and checks that listing it fails with a typed error, never yields an entry
 * that could name a place outside the folder.
 */
import { describe, it, expect } from 'vitest'
import { encode } from 'cborg'
import { ManifestError } from '../errors.js'
import { MemoryBlockStore } from '../store/memory.js'
import { testBytes } from '../testing/bytes.js'
import { addFile } from '../file/add.js'
import { concatBytes } from '../bytes.js'
import { encodeFolderHeader, encodePage, FOLDER_TYPE, MAX_ITEM_BYTES, type FolderEntry } from './format.js'
import { listFolder, walkFolder, MAX_FOLDER_DEPTH } from './read.js'
import type { BlockId } from '../block/id.js'

async function * once (bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes
}

function framed (value: unknown): Uint8Array {
  const body = encode(value)
  const out = new Uint8Array(4 + body.length)
  new DataView(out.buffer).setUint32(0, body.length)
  out.set(body, 4)
  return out
}

async function node (store: MemoryBlockStore, content: Uint8Array, type = FOLDER_TYPE): Promise<{ root: BlockId, key: Uint8Array }> {
  const added = await addFile(once(content), { name: 'evil', type }, store)
  return { root: added.root, key: added.key }
}

async function target (store: MemoryBlockStore): Promise<{ root: BlockId, key: Uint8Array }> {
  return await node(store, testBytes(10, 1), 'text/plain')
}

function fileEntry (name: string, to: { root: BlockId, key: Uint8Array }): FolderEntry {
  return { name, kind: 'file', size: 10, mtime: 0, type: 'text/plain', root: to.root, key: to.key }
}

async function listing (store: MemoryBlockStore, dir: { root: BlockId, key: Uint8Array }): Promise<unknown> {
  try {
    const names = []
    for await (const { path } of walkFolder(dir, store)) names.push(path.join('/'))
    return names
  } catch (err) {
    return err
  }
}

describe('hostile folder manifests are rejected', () => {
  const names: Array<[string, string[]]> = [
    ['a parent', ['..']],
    ['the folder itself', ['.']],
    ['an absolute path', ['/etc/passwd']],
    ['a path with separators', ['a/../../x']],
    ['a Windows path', ['..\\..\\x']],
    ['a drive-relative Windows path', ['C:\\x']],
    ['a control character', ['a\u0000b']],
    ['a newline', ['a\nb']],
    ['an empty name', ['']],
    ['a name over 255 bytes', ['x'.repeat(256)]],
    ['duplicate names', ['same', 'same']],
    ['names differing only in case', ['Secret.txt', 'secret.txt']],
    ['names equal after Unicode normalisation', ['caf\u00e9', 'cafe\u0301']],
    ['names out of order', ['b', 'a']]
  ]
  for (const [what, entryNames] of names) {
    it(what, async () => {
      const store = new MemoryBlockStore()
      const to = await target(store)
      const dir = await node(store, concatBytes([encodeFolderHeader(), encodePage(entryNames.map(name => fileEntry(name, to)))]))
      expect(await listing(store, dir)).toBeInstanceOf(ManifestError)
    })
  }

  it('duplicates split across two pages', async () => {
    const store = new MemoryBlockStore()
    const to = await target(store)
    const dir = await node(store, concatBytes([encodeFolderHeader(), encodePage([fileEntry('x', to)]), encodePage([fileEntry('X', to)])]))
    expect(await listing(store, dir)).toBeInstanceOf(ManifestError)
  })

  const malformed: Array<[string, () => Uint8Array]> = [
    ['no header', () => new Uint8Array(0)],
    ['another kind', () => framed({ v: 1, kind: 'zip' })],
    ['a future version', () => framed({ v: 2, kind: 'cairn-folder' })],
    ['an extra header field', () => framed({ v: 1, kind: 'cairn-folder', x: 1 })],
    ['an item longer than allowed', () => { const b = new Uint8Array(8); new DataView(b.buffer).setUint32(0, MAX_ITEM_BYTES + 1); return b }],
    ['a truncated item', () => concatBytes([encodeFolderHeader(), new Uint8Array([0, 0, 0, 9, 1])])],
    ['an empty page', () => concatBytes([encodeFolderHeader(), framed([])])],
    ['an entry of unknown kind', () => concatBytes([encodeFolderHeader(), framed([{ name: 'a', kind: 'link', mtime: 0 }])])],
    ['an entry with an extra field', () => concatBytes([encodeFolderHeader(), framed([{ name: 'a', kind: 'dir', mtime: 0, root: new Uint8Array(36), key: new Uint8Array(16), mode: 0o4755 }])])],
    ['a bad root', () => concatBytes([encodeFolderHeader(), framed([{ name: 'a', kind: 'dir', mtime: 0, root: new Uint8Array(36), key: new Uint8Array(16) }])])],
    ['a negative size', () => concatBytes([encodeFolderHeader(), framed([{ name: 'a', kind: 'file', size: -1, mtime: 0, type: 'x/y', root: new Uint8Array(36), key: new Uint8Array(16) }])])]
  ]
  for (const [what, content] of malformed) {
    it(what, async () => {
      const store = new MemoryBlockStore()
      const dir = await node(store, content())
      expect(await listing(store, dir)).toBeInstanceOf(ManifestError)
    })
  }

  it('a plain file named as a subfolder', async () => {
    const store = new MemoryBlockStore()
    const to = await target(store)
    const dir = await node(store, concatBytes([encodeFolderHeader(), encodePage([{ name: 'sub', kind: 'dir', mtime: 0, root: to.root, key: to.key }])]))
    expect(await listing(store, dir)).toBeInstanceOf(ManifestError)
  })

  it('a node that is not a folder at all', async () => {
    const store = new MemoryBlockStore()
    const entries = []
    try {
      for await (const entry of listFolder(await target(store), store)) entries.push(entry)
    } catch (err) {
      entries.push(err)
    }
    expect(entries).toHaveLength(1)
    expect(entries[0]).toBeInstanceOf(ManifestError)
  })

  it(`a chain of shared nodes deeper than ${MAX_FOLDER_DEPTH} levels (a folder bomb) stops`, async () => {
    const store = new MemoryBlockStore()
    let dir = await node(store, encodeFolderHeader())
    for (let i = 0; i <= MAX_FOLDER_DEPTH; i++) {
      const sub = { name: 'd', kind: 'dir' as const, mtime: 0, root: dir.root, key: dir.key }
      dir = await node(store, concatBytes([encodeFolderHeader(), encodePage([sub, { ...sub, name: 'e' }])]))
      if (i === 3) {
        // Not a bomb yet: 2^1 + … + 2^4 entries, every path within the folder.
        const paths = await listing(store, dir) as string[]
        expect(paths).toHaveLength(2 + 4 + 8 + 16)
        expect(paths.every(p => /^([de]\/)*[de]$/.test(p))).toBe(true)
      }
    }
    // Depth first, so the walk reaches the bottom before it has listed many: it stops there.
    expect(await listing(store, dir)).toBeInstanceOf(ManifestError)
  })
})
