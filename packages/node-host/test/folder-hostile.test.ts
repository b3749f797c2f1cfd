/**
 * A hostile folder through the real CLI: nodes crafted to name `..`, an
 * absolute path, a Windows path and a case-insensitive duplicate, stored on a
 * real host. `cairn get -o DIR` must refuse (exit 8, integrity) before it
 * writes anything, inside DIR or outside it; `ls` refuses too.
 */
import { mkdir, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { addFile, FOLDER_TYPE, type BlockId, type FolderEntry } from '@cairn/core'
import { encodeFolderHeader, encodePage } from '@cairn/core/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { FsBlockStore } from '../src/store/index.js'
import { Cluster } from './harness.js'

const cluster = new Cluster()
afterEach(async () => { await cluster.cleanup() })

async function * once (bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes
}

function concat (parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const part of parts) { out.set(part, at); at += part.length }
  return out
}

describe('hostile folders through the CLI', () => {
  const cases: Array<[string, string[]]> = [
    ['a parent directory', ['..']],
    ['an absolute path', ['/tmp/cairn-escaped']],
    ['a path with separators', ['ok/../../escaped']],
    ['a Windows path', ['..\\..\\escaped']],
    ['names that differ only in case', ['Secret.txt', 'secret.txt']]
  ]
  it('get refuses each before writing anything, with exit 8; ls refuses too', async () => {
    const data = join(await cluster.tempDir(), 'data')
    await mkdir(data, { recursive: true })
    const store = await FsBlockStore.open(join(data, 'blocks'))
    const links: Array<[string, string]> = []
    try {
      const target = await addFile(once(new TextEncoder().encode('payload')), { name: 'payload.txt', type: 'text/plain' }, store)
      const entry = (name: string, to: { root: BlockId, key: Uint8Array }): FolderEntry =>
        ({ name, kind: 'file', size: 7, mtime: 0, type: 'text/plain', root: to.root, key: to.key })
      for (const [what, names] of cases) {
        // A valid first entry, so that a reader writing as it goes would have written something.
        const page = encodePage([entry('a-first.txt', target), ...names.map(name => entry(name, target))])
        const node = await addFile(once(concat([encodeFolderHeader(), page])), { name: 'evil', type: FOLDER_TYPE }, store)
        links.push([what, node.link])
      }
    } finally {
      await store.close()
    }
    const host = await cluster.startHost(['--replicas', '1'], { data })
    const work = await cluster.tempDir()
    for (const [what, link] of links) {
      const out = join(work, 'out')
      const get = await cluster.cli(['get', `${host.url}&file=${link}`, '-o', out])
      expect(get.code, `${what}: ${get.stderr}`).toBe(8)
      expect(get.stderr, what).toMatch(/^cairn: folder[ :]/)
      // The target directory is made, and stays empty; nothing else appeared beside it.
      expect(await readdir(out), what).toEqual([])
      expect(await readdir(work), what).toEqual(['out'])
      const ls = await cluster.cli(['ls', '-R', `${host.url}&file=${link}`])
      expect(ls.code, what).toBe(8)
    }
  })
})
