/**
 * `<data>/tombstones.json` (config/tombstones-file.ts): what a host saves of its
 * tombstones reads back the same, mode 0600; malformed files and entries are
 * left out with a warning, never trusted.
 */
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { FileTombstoneStore, dataDirPaths, type DataDirPaths } from '../src/config/index.js'

const dirs: string[] = []
afterAll(async () => { await Promise.all(dirs.map(async d => { await rm(d, { recursive: true, force: true }) })) })

async function paths (): Promise<DataDirPaths> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-tomb-'))
  dirs.push(dir)
  return dataDirPaths(dir)
}

const entry = { tag: 'ab'.repeat(32), secret: new Uint8Array(32).fill(7), seen: 1_700_000_000_000 }

describe('tombstones.json', () => {
  it('saves whole (0600, no temp file left) and loads what it saved', async () => {
    const p = await paths()
    const warnings: string[] = []
    const store = new FileTombstoneStore(p, line => { warnings.push(line) })
    expect(await store.load()).toEqual([])
    await store.save([entry])
    expect((await stat(p.tombstones)).mode & 0o777).toBe(0o600)
    expect(await readdir(p.root)).toEqual(['tombstones.json'])
    expect(await new FileTombstoneStore(p, line => { warnings.push(line) }).load()).toEqual([entry])
    await store.save([])
    expect(await store.load()).toEqual([])
    expect(warnings).toEqual([])
  })

  it('trusts nothing it reads: a malformed file or entry is left out, with a warning', async () => {
    const p = await paths()
    const warnings: string[] = []
    const store = new FileTombstoneStore(p, line => { warnings.push(line) })
    await writeFile(p.tombstones, '{not json')
    expect(await store.load()).toEqual([])
    expect(warnings.pop()).toMatch(/is not JSON, starting without tombstones/)
    const good = { tag: entry.tag, secret: Buffer.from(entry.secret).toString('base64url'), seen: entry.seen }
    await writeFile(p.tombstones, JSON.stringify({
      v: 1,
      tombstones: [good, { ...good, tag: 'XY' }, { ...good, secret: 'c2hvcnQ' }, { ...good, seen: 'now' }, null, 'x']
    }))
    expect(await store.load()).toEqual([entry])
    expect(warnings).toEqual([`left out 5 malformed or surplus tombstones of ${p.tombstones}`])
  })
})
