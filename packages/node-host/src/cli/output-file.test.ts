import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { LocalFileError } from '../config/index.js'
import { fileSink } from './output-file.js'

const dirs: string[] = []
afterEach(async () => { for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true }) })

async function tempDir (): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-out-'))
  dirs.push(dir)
  return dir
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)

describe('fileSink without overwrite', () => {
  it('refuses a path that exists before it starts', async () => {
    const dir = await tempDir()
    await writeFile(join(dir, 'a.txt'), 'mine')
    await expect(fileSink(join(dir, 'a.txt'))).rejects.toThrow(LocalFileError)
    expect(await readdir(dir)).toEqual(['a.txt'])
  })

  it('refuses a file that appeared while it wrote, keeping that file and dropping its own', async () => {
    const dir = await tempDir()
    const path = join(dir, 'a.txt')
    const sink = await fileSink(path)
    await sink.write([bytes('downloaded')])
    await writeFile(path, 'arrived meanwhile')
    await expect(sink.commit()).rejects.toThrow(/a\.txt already exists/)
    expect(await readFile(path, 'utf8')).toBe('arrived meanwhile')
    expect(await readdir(dir)).toEqual(['a.txt'])
  })

  it('writes a new file, and replaces one only with overwrite', async () => {
    const dir = await tempDir()
    const path = join(dir, 'a.txt')
    const sink = await fileSink(path)
    await sink.write([bytes('first')])
    expect(await sink.commit()).toBe(path)
    const again = await fileSink(path, { overwrite: true })
    await again.write([bytes('second')])
    await again.commit()
    expect(await readFile(path, 'utf8')).toBe('second')
    expect(await readdir(dir)).toEqual(['a.txt'])
  })
})
