import { statSync, writeFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { bundleIsCurrent } from './bundle-check.js'

let dir: string
let inputs: URL
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-bundle-check-'))
  await mkdir(join(dir, 'cli'))
  await mkdir(join(dir, 'core'))
  await writeFile(join(dir, 'cli', 'a.js'), 'export const a = 1\n')
  await writeFile(join(dir, 'core', 'b.js'), 'export const b = 2\n')
  inputs = pathToFileURL(join(dir, 'cli', 'inputs.json'))
  record(['a.js', '../core/b.js'])
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** Write the list as scripts/bundle-cli.mjs does: paths relative to the list, size, mtimeMs. */
function record (paths: string[]): void {
  const list = paths.map(path => {
    const info = statSync(new URL(path, inputs))
    return [path, info.size, info.mtimeMs]
  })
  writeFileSync(inputs, JSON.stringify(list))
}

describe('bundleIsCurrent', () => {
  it('holds while every recorded module is unchanged', () => {
    expect(bundleIsCurrent(inputs)).toBe(true)
  })

  it('fails once a module is rewritten, even with the same size', async () => {
    const b = join(dir, 'core', 'b.js')
    await writeFile(b, 'export const b = 3\n')
    const later = new Date(statSync(b).mtimeMs + 5000)
    await utimes(b, later, later)
    expect(bundleIsCurrent(inputs)).toBe(false)
  })

  it('fails once a module changes size', async () => {
    const a = join(dir, 'cli', 'a.js')
    // A whole second, which a Date holds exactly, so the mtime can be put back as recorded.
    const second = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000)
    await utimes(a, second, second)
    record(['a.js', '../core/b.js'])
    await writeFile(a, 'export const a = 10\n')
    await utimes(a, second, second)
    expect(statSync(a).mtimeMs).toBe(second.getTime()) // only the size tells
    expect(bundleIsCurrent(inputs)).toBe(false)
  })

  it('fails once a module is gone', async () => {
    await rm(join(dir, 'core', 'b.js'))
    expect(bundleIsCurrent(inputs)).toBe(false)
  })

  it('fails without a list, or with an empty or malformed one', async () => {
    expect(bundleIsCurrent(pathToFileURL(join(dir, 'cli', 'missing.json')))).toBe(false)
    for (const text of ['', '[]', '{}', '[["a.js"]]', '[[1, 2, 3]]', 'not json']) {
      await writeFile(inputs, text)
      expect(bundleIsCurrent(inputs), text).toBe(false)
    }
  })
})
