/**
 * Folders with the built CLI against a real host (issue 16): `put DIR`,
 * `put A B C --bundle`, `get FOLDER -o DIR`, `get LINK/path`, `ls LINK`,
 * refusing to overwrite, symbolic links, resuming a folder get per file, and a
 * tree of 10,000 small files. Every round trip is compared byte for byte.
 */
import { spawn } from 'node:child_process'
import { lstat, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { CLI, Cluster, randomFile, recordedBlocks, sha256File, useTempStateDir, waitFor, type HostProcess } from './harness.js'

const cluster = new Cluster()
afterEach(async () => { await cluster.cleanup() })
useTempStateDir()

const MiB = 1024 * 1024

/** Every entry under `dir`: relative path → 'dir', or the file's sha256. Symbolic links are listed as 'symlink'. */
async function snapshot (dir: string, prefix = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const name of (await readdir(dir)).sort()) {
    if (name.endsWith('.cairn-part') || name.endsWith('.cairn-part.state')) continue
    const path = join(dir, name)
    const rel = prefix === '' ? name : `${prefix}/${name}`
    const info = await lstat(path)
    if (info.isSymbolicLink()) out[rel] = 'symlink'
    else if (info.isDirectory()) Object.assign(out, { [rel]: 'dir' }, await snapshot(path, rel))
    else out[rel] = await sha256File(path)
  }
  return out
}

function withoutSymlinks (tree: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tree).filter(([, v]) => v !== 'symlink'))
}

async function makeTree (root: string): Promise<void> {
  await mkdir(join(root, 'docs', 'deeper', 'deepest'), { recursive: true })
  await mkdir(join(root, 'empty'))
  await mkdir(join(root, 'docs', 'also empty'))
  await mkdir(join(root, 'ünïcødé 日本語 ✓'))
  await writeFile(join(root, 'readme.txt'), 'hello folder\n')
  await writeFile(join(root, 'zero bytes'), '')
  await writeFile(join(root, 'docs', 'note.md'), '# note\n')
  await writeFile(join(root, 'ünïcødé 日本語 ✓', 'файл – ♫.txt'), 'unicode\n')
  await randomFile(join(root, 'docs', 'deeper', 'deepest', 'large.bin'), 5 * MiB + 12_345)
  await symlink('readme.txt', join(root, 'link-to-readme'))
}

interface Put { link: string, root: string, size: number, files: number, dirs: number, resumedBytes: number }

describe('folders through the CLI', () => {
  let host: HostProcess
  let work: string

  async function setup (): Promise<void> {
    host = await cluster.startHost(['--replicas', '1'])
    work = await cluster.tempDir()
  }
  const mesh = (): string[] => ['--mesh', host.url]

  it('put DIR prints one link; get -o recreates the tree byte for byte (empty dirs, unicode, a larger file); symlinks skipped', async () => {
    await setup()
    const src = join(work, 'src')
    await makeTree(src)
    const put = await cluster.cli(['put', src, ...mesh(), '--json'])
    expect(put.code, put.stderr).toBe(0)
    expect(put.stderr).toMatch(/warning: skipped .*link-to-readme: a symbolic link \(--follow-symlinks follows them\)/)
    const lines = put.stdout.toString().trim().split('\n')
    expect(lines).toHaveLength(1)
    const result = JSON.parse(lines[0]!) as Put
    expect(result).toMatchObject({ files: 5, dirs: 7, size: 13 + 0 + 7 + 8 + 5 * MiB + 12_345 })
    expect(result.link).toMatch(/#join=.*&file=bafkrei[a-z2-7]+\.[A-Za-z0-9_-]{22}$/)

    const out = join(work, 'out')
    const got = await cluster.json<{ path: string, files: number, dirs: number, size: number }>(['get', result.link, '-o', out])
    expect(got[0]).toMatchObject({ path: out, files: 5, dirs: 7, size: result.size })
    expect(await snapshot(out)).toEqual(withoutSymlinks(await snapshot(src)))
    expect((await snapshot(out))['empty']).toBe('dir')
    expect((await snapshot(out))['docs/also empty']).toBe('dir')

    // One entry by path, both link forms: a file to stdout, a subfolder to a directory.
    const one = await cluster.cli(['get', `${result.link}&path=${encodeURIComponent('ünïcødé 日本語 ✓')}/${encodeURIComponent('файл – ♫.txt')}`])
    expect(one.code, one.stderr).toBe(0)
    expect(one.stdout.toString()).toBe('unicode\n')
    const plain = result.link.split('&file=')[1]!
    const sub = join(work, 'sub')
    const subGot = await cluster.cli(['get', `${plain}/docs/deeper`, ...mesh(), '-o', sub])
    expect(subGot.code, subGot.stderr).toBe(0)
    expect(await snapshot(sub)).toEqual({ deepest: 'dir', 'deepest/large.bin': (await snapshot(src))['docs/deeper/deepest/large.bin'] })

    // ls: one level, -R, --json with each entry's own link (which opens it on its own).
    const ls = await cluster.cli(['ls', result.link])
    expect(ls.code, ls.stderr).toBe(0)
    expect(ls.stdout.toString().split('\n').filter(Boolean).map(l => l.trim().split(/\s{2,}/))).toEqual([
      // Ordered by lower-cased name, by code unit: 'z' (U+007A) before 'ü' (U+00FC).
      ['-', 'docs/'], ['-', 'empty/'], ['13', 'readme.txt'], ['0', 'zero bytes'], ['-', 'ünïcødé 日本語 ✓/']
    ])
    const all = await cluster.json<{ path: string, kind: string, size?: number, link: string }>(['ls', '-R', result.link])
    expect(all.map(e => e.path)).toEqual([
      'docs', 'docs/also empty', 'docs/deeper', 'docs/deeper/deepest', 'docs/deeper/deepest/large.bin', 'docs/note.md',
      'empty', 'readme.txt', 'zero bytes', 'ünïcødé 日本語 ✓', 'ünïcødé 日本語 ✓/файл – ♫.txt'
    ])
    const note = all.find(e => e.path === 'docs/note.md')!
    const alone = await cluster.cli(['get', note.link])
    expect(alone.stdout.toString()).toBe('# note\n')

    // Errors: a missing entry, ls of a file link.
    const missing = await cluster.cli(['get', `${result.link}&path=docs/nope`])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/^cairn: folder: no "docs\/nope" in src\n$/)
    const notFolder = await cluster.cli(['ls', note.link])
    expect(notFolder.code).toBe(2)
    expect(notFolder.stderr).toMatch(/names a file .*not a folder/)
  })

  it('get refuses to overwrite files (exit 7, nothing fetched), keeps what an earlier run completed, --force replaces', async () => {
    await setup()
    const src = join(work, 'src')
    await makeTree(src)
    const [put] = await cluster.json<Put>(['put', src, ...mesh()])
    const out = join(work, 'out')
    await mkdir(join(out, 'docs'), { recursive: true })
    await writeFile(join(out, 'docs', 'note.md'), 'mine, not theirs\n')
    const refused = await cluster.cli(['get', put!.link, '-o', out])
    expect(refused.code).toBe(7)
    expect(refused.stderr).toMatch(/^cairn: .*docs\/note\.md already exists \(--force overwrites\)\n$/)
    expect(await snapshot(out)).toEqual({ docs: 'dir', 'docs/note.md': expect.any(String) })
    expect(await readFile(join(out, 'docs', 'note.md'), 'utf8')).toBe('mine, not theirs\n')

    const [forced] = await cluster.json<{ resumedBytes: number }>(['get', put!.link, '-o', out, '--force'])
    expect(forced!.resumedBytes).toBe(0)
    expect(await snapshot(out)).toEqual(withoutSymlinks(await snapshot(src)))
    // Run again: every file is there with its size and time, so it is kept, not refused.
    const [again] = await cluster.json<{ resumedBytes: number, size: number }>(['get', put!.link, '-o', out])
    expect(again!.resumedBytes).toBe(again!.size)
  })

  it('--follow-symlinks follows links (a cycle is skipped); --bundle makes one link of several arguments', async () => {
    await setup()
    const src = join(work, 'src')
    await makeTree(src)
    await symlink('..', join(src, 'docs', 'loop'))
    const [put] = await cluster.json<Put>(['put', src, ...mesh(), '--follow-symlinks'])
    expect(put!.files).toBe(6)
    const out = join(work, 'out')
    await cluster.json(['get', put!.link, '-o', out])
    const tree = await snapshot(out)
    expect(tree['link-to-readme']).toBe(tree['readme.txt'])
    expect(tree['docs/loop']).toBeUndefined()

    const a = join(work, 'a.txt')
    await writeFile(a, 'A')
    const bundled = await cluster.cli(['put', a, join(src, 'docs'), join(src, 'readme.txt'), ...mesh(), '--bundle', '--json'])
    expect(bundled.code, bundled.stderr).toBe(0)
    const bundle = JSON.parse(bundled.stdout.toString()) as Put
    expect(bundle.files).toBe(4)
    const bout = join(work, 'bundle-out')
    await cluster.json(['get', bundle.link, '-o', bout])
    expect(Object.keys(await snapshot(bout))).toEqual([
      'a.txt', 'docs', 'docs/also empty', 'docs/deeper', 'docs/deeper/deepest', 'docs/deeper/deepest/large.bin', 'docs/note.md', 'readme.txt'
    ])
    // Two arguments whose names collide on a case-insensitive file system cannot share a folder.
    await writeFile(join(work, 'README.TXT'), 'x')
    const clash = await cluster.cli(['put', join(work, 'README.TXT'), join(src, 'readme.txt'), ...mesh(), '--bundle'])
    expect(clash.code).toBe(7)
    expect(clash.stderr).toMatch(/collide on a case-insensitive file system/)
  })

  it('a folder get killed mid-file resumes that file from its part file', async () => {
    await setup()
    const src = join(work, 'src')
    await mkdir(join(src, 'inner'), { recursive: true })
    await writeFile(join(src, 'first.txt'), 'first')
    await randomFile(join(src, 'inner', 'big.bin'), 96 * MiB)
    const [put] = await cluster.json<Put>(['put', src, ...mesh()])
    const out = join(work, 'out')
    const child = spawn(process.execPath, [CLI, 'get', put!.link, '-o', out], { stdio: 'ignore' })
    const exited = new Promise(resolve => child.once('exit', resolve))
    // Kill once the big file's part state records at least 4 whole blocks.
    await waitFor('blocks written', async () => await recordedBlocks(join(out, 'inner')) >= 4 ? true : undefined, { timeout: 120_000, interval: 5 })
    child.kill('SIGKILL')
    await exited
    const [resumed] = await cluster.json<{ resumedBytes: number }>(['get', put!.link, '-o', out])
    expect(resumed!.resumedBytes).toBeGreaterThanOrEqual(4 * MiB)
    expect(await snapshot(out)).toEqual(await snapshot(src))
  })

  it('10,000 small files round-trip', async () => {
    await setup()
    const src = join(work, 'many')
    for (let d = 0; d < 10; d++) {
      await mkdir(join(src, `d${d}`), { recursive: true })
      await Promise.all(Array.from({ length: 1000 }, async (_, i) => {
        await writeFile(join(src, `d${d}`, `f${i}.txt`), `file ${d}/${i}\n`)
      }))
    }
    const started = Date.now()
    const [put] = await cluster.json<Put>(['put', src, ...mesh()], { timeout: 600_000 })
    const putMs = Date.now() - started
    expect(put!.files).toBe(10_000)
    const out = join(work, 'out')
    const fetched = Date.now()
    await cluster.json(['get', put!.link, '-o', out], { timeout: 600_000 })
    const getMs = Date.now() - fetched
    console.log(`10,000 files: put ${putMs} ms, get ${getMs} ms`)
    for (let d = 0; d < 10; d++) {
      const names = await readdir(join(out, `d${d}`))
      expect(names).toHaveLength(1000)
      for (const i of [0, 1, 499, 999]) expect(await readFile(join(out, `d${d}`, `f${i}.txt`), 'utf8')).toBe(`file ${d}/${i}\n`)
    }
    expect(await snapshot(out)).toEqual(await snapshot(src))
  }, 900_000)
})
