import { describe, expect, it } from 'vitest'
import { addFolder, listFolder, walkFolder, type FolderDirInput } from '@cairn/core'
import { MemoryBlockStore } from '@cairn/core/testing'
import { folderZip } from './zip.js'
import { bundleOf, fileInput, treeFromPicked } from './folder-source.js'

function picked (path: string, text: string): File {
  const file = new File([text], path.split('/').at(-1)!, { type: 'text/plain', lastModified: 1_700_000_000_000 })
  Object.defineProperty(file, 'webkitRelativePath', { value: path })
  return file
}

async function paths (root: FolderDirInput): Promise<string[]> {
  const store = new MemoryBlockStore()
  const added = await addFolder(root, store)
  const out = []
  for await (const { path, entry } of walkFolder(added, store)) out.push(`${path.join('/')}${entry.kind === 'dir' ? '/' : ''}`)
  return out
}

describe('browser folders', () => {
  it('a picked directory keeps its tree (webkitRelativePath)', async () => {
    const root = treeFromPicked([picked('top/a.txt', 'a'), picked('top/sub/deep/b.txt', 'b'), picked('top/sub/c.txt', 'c')])
    expect(root.name).toBe('top')
    expect(await paths(root)).toEqual(['a.txt', 'sub/', 'sub/c.txt', 'sub/deep/', 'sub/deep/b.txt'])
  })

  it('several files bundle into one share; one dropped directory is itself', async () => {
    const files = [new File(['1'], 'one.txt'), new File(['2'], 'two.txt')].map(file => fileInput(file))
    const bundle = bundleOf(files)
    expect(bundle.name).toBe('bundle')
    expect(await paths(bundle)).toEqual(['one.txt', 'two.txt'])
    const dir = treeFromPicked([picked('only/x', 'x')])
    expect(bundleOf([dir])).toBe(dir)
  })

  it('a folder ZIP is as long as predicted, whatever offset a read starts at', async () => {
    const store = new MemoryBlockStore()
    const added = await addFolder(treeFromPicked([picked('z/a.txt', 'hello'), picked('z/s/b.txt', 'world!')]), store)
    const names = []
    for await (const entry of listFolder(added, store)) names.push(entry.name)
    expect(names).toEqual(['a.txt', 's'])
    const zip = await folderZip(added, 'z', store)
    expect(zip.name).toBe('z.zip')
    const whole: Uint8Array[] = []
    for await (const chunk of zip.read()) whole.push(chunk)
    const bytes = new Uint8Array(whole.reduce((n, c) => n + c.length, 0))
    let at = 0
    for (const chunk of whole) { bytes.set(chunk, at); at += chunk.length }
    expect(bytes.length).toBe(zip.size)
    expect([...bytes.subarray(0, 4)]).toEqual([0x50, 0x4b, 0x03, 0x04]) // a local file header
    const tail: Uint8Array[] = []
    for await (const chunk of zip.read({ offset: 100 })) tail.push(chunk)
    expect(tail.reduce((n, c) => n + c.length, 0)).toBe(zip.size - 100)
    expect(tail[0]![0]).toBe(bytes[100])
  })
})
