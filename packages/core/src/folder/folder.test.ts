import { describe, it, expect } from 'vitest'
import { collect, expectSameBytes } from '../../test/support/file.js'
import type { BlockId } from '../block/id.js'
import { FolderInputError, NotAFolderError, NoSuchEntryError } from '../errors.js'
import { MemoryBlockStore } from '../store/memory.js'
import { testBytes } from '../testing/bytes.js'
import { addFile } from '../file/add.js'
import { openFile } from '../file/read.js'
import { formatLink, formatWebLink, parseLink } from '../address/link.js'
import { addFolder, type FolderDirInput, type FolderInput } from './add.js'
import { MAX_PAGE_ENTRIES } from './format.js'
import { listFolder, openFolder, resolveFolderPath, walkFolder } from './read.js'

async function * once (bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes
}

function file (name: string, bytes: Uint8Array, mtime = 1_700_000_000_000): FolderInput {
  return { kind: 'file', name, mtime, type: 'application/x-test', read: () => once(bytes) }
}

function dir (name: string, entries: FolderInput[], mtime = 1_600_000_000_000): FolderDirInput {
  return { kind: 'dir', name, mtime, entries: () => entries }
}

/** A getter that records the blocks asked for. */
function recording (store: MemoryBlockStore): { get: (id: BlockId) => Promise<Uint8Array>, asked: Set<string> } {
  const asked = new Set<string>()
  return { asked, get: async id => { asked.add(id.toString()); return await store.get(id) } }
}

describe('folders: add → open round trips', () => {
  const big = testBytes(3 * 1024 * 1024 + 17, 7)
  const tree = dir('photos', [
    file('b.txt', testBytes(100, 1)),
    dir('empty', []),
    dir('ünïcødé ✓ 日本', [file('ファイル.bin', testBytes(5000, 2)), dir('deeper', [file('z', testBytes(0, 3))])]),
    file('A.txt', testBytes(16384, 4)),
    file('large.bin', big)
  ])

  it('walks every entry depth first, in folded name order, with sizes, types and times', async () => {
    const store = new MemoryBlockStore()
    const added = await addFolder(tree, store)
    expect({ files: added.files, dirs: added.dirs, size: added.size }).toEqual({ files: 5, dirs: 4, size: 100 + 5000 + 0 + 16384 + big.length })
    const folder = await openFolder(parseLink(added.link), store)
    expect(folder.name).toBe('photos')
    const walked = []
    for await (const { path, entry } of walkFolder(folder, store)) {
      walked.push([path.join('/'), entry.kind, entry.kind === 'file' ? entry.size : '-'])
    }
    expect(walked).toEqual([
      ['A.txt', 'file', 16384],
      ['b.txt', 'file', 100],
      ['empty', 'dir', '-'],
      ['large.bin', 'file', big.length],
      ['ünïcødé ✓ 日本', 'dir', '-'],
      ['ünïcødé ✓ 日本/deeper', 'dir', '-'],
      ['ünïcødé ✓ 日本/deeper/z', 'file', 0],
      ['ünïcødé ✓ 日本/ファイル.bin', 'file', 5000]
    ])
  })

  it('each file keeps its own link, which opens it byte for byte', async () => {
    const store = new MemoryBlockStore()
    const added = await addFolder(tree, store)
    const folder = await openFolder(parseLink(added.link), store)
    const entry = await resolveFolderPath(folder, ['large.bin'], store)
    if (entry.kind !== 'file') throw new Error('expected a file')
    const opened = await openFile(formatLink(entry.root, entry.key), store)
    expect({ name: opened.name, size: opened.size, type: opened.type, mtime: opened.mtime })
      .toEqual({ name: 'large.bin', size: big.length, type: 'application/x-test', mtime: 1_700_000_000_000 })
    expectSameBytes(await collect(opened.read()), big)
    const deep = await resolveFolderPath(folder, ['ünïcødé ✓ 日本', 'ファイル.bin'], store)
    if (deep.kind !== 'file') throw new Error('expected a file')
    expectSameBytes(await collect((await openFile(deep, store)).read()), testBytes(5000, 2))
  })

  it('lists a subfolder reading only the nodes on its path', async () => {
    const store = new MemoryBlockStore()
    const added = await addFolder(tree, store)
    const source = recording(store)
    const folder = await openFolder(parseLink(added.link), source.get)
    const sub = await resolveFolderPath(folder, ['ünïcødé ✓ 日本', 'deeper'], source.get)
    if (sub.kind !== 'dir') throw new Error('expected a dir')
    const names = []
    for await (const entry of listFolder(sub, source.get)) names.push(entry.name)
    expect(names).toEqual(['z'])
    // Root node (manifest + content), the unicode dir's node, then deeper's: never large.bin's blocks.
    expect(source.asked.size).toBe(6)
  })

  it('an empty folder round-trips', async () => {
    const store = new MemoryBlockStore()
    const added = await addFolder(dir('nothing', []), store)
    const entries = []
    for await (const entry of walkFolder(parseLink(added.link), store)) entries.push(entry)
    expect(entries).toEqual([])
    expect((await openFolder(parseLink(added.link), store)).name).toBe('nothing')
  })

  it('a directory of more than one page lists every entry in order', async () => {
    const store = new MemoryBlockStore()
    const count = MAX_PAGE_ENTRIES * 2 + 5
    const entries = Array.from({ length: count }, (_, i) => file(`f${String(i).padStart(5, '0')}`, testBytes(i % 7, i)))
    const added = await addFolder(dir('many', entries.reverse()), store, { concurrency: 16 })
    expect(added.files).toBe(count)
    const names = []
    for await (const entry of listFolder(parseLink(added.link), store)) names.push(entry.name)
    expect(names).toEqual(Array.from({ length: count }, (_, i) => `f${String(i).padStart(5, '0')}`))
  })

  it('refuses to add names a folder does not take, duplicates and case-insensitive collisions', async () => {
    const store = new MemoryBlockStore()
    const bytes = testBytes(1, 1)
    for (const names of [['a', 'a'], ['README', 'readme'], ['\u00e9', 'e\u0301'], ['..'], ['a/b'], ['a\\b'], ['tab\there'], ['']]) {
      const err = await addFolder(dir('x', names.map(name => file(name, bytes))), store).catch((e: unknown) => e)
      expect(err, names.join(',')).toBeInstanceOf(FolderInputError)
    }
  })

  it('a file link is not a folder', async () => {
    const store = new MemoryBlockStore()
    const added = await addFile(once(testBytes(10, 1)), { name: 'f' }, store)
    await expect(openFolder(parseLink(added.link), store)).rejects.toBeInstanceOf(NotAFolderError)
  })

  it('a path that is not in the folder is NoSuchEntryError', async () => {
    const store = new MemoryBlockStore()
    const added = await addFolder(tree, store)
    const folder = await openFolder(parseLink(added.link), store)
    await expect(resolveFolderPath(folder, ['nope'], store)).rejects.toBeInstanceOf(NoSuchEntryError)
    await expect(resolveFolderPath(folder, ['b.txt', 'x'], store)).rejects.toBeInstanceOf(NoSuchEntryError)
    await expect(resolveFolderPath(folder, ['a.txt'], store)).rejects.toBeInstanceOf(NoSuchEntryError) // exact names only
  })
})

describe('links to entries inside a folder', () => {
  const link = 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy.AAECAwQFBgcICQoLDA0ODw'

  it('a plain link takes /a/b, percent-encoded', () => {
    const parsed = parseLink(`${link}/sub%20dir/%E6%97%A5.txt`)
    expect(parsed.path).toEqual(['sub dir', '日.txt'])
    expect(formatLink(parsed.root, parsed.key)).toBe(link)
    expect(parseLink(`${link}/`).path).toBeUndefined()
  })

  it('a web link carries &path= and round-trips', () => {
    const web = formatWebLink('http://127.0.0.1:4001', 'tok', link, ['a b', 'c&d#e', 'ü'])
    expect(web).toBe(`http://127.0.0.1:4001/#join=tok&file=${link}&path=a%20b/c%26d%23e/%C3%BC`)
    const parsed = parseLink(web)
    expect(parsed.path).toEqual(['a b', 'c&d#e', 'ü'])
    expect(parsed.join).toBe('tok')
    expect(parseLink(`http://h:1/#file=${link}/x/y`).path).toEqual(['x', 'y'])
  })

  it('refuses components that could leave the folder', () => {
    for (const bad of ['..', '.', 'a/../..', '%2E%2E', 'a%2Fb', 'a%5Cb', 'a//b', '%00', '%E0%A4%A']) {
      expect(() => parseLink(`${link}/${bad}`), bad).toThrow(/link/)
    }
    expect(() => parseLink(`http://h:1/#file=${link}&path=..`)).toThrow(/link path/)
    expect(() => parseLink(`http://h:1/#file=${link}/a&path=b`)).toThrow(/both/)
  })
})
