import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PutJournal, type PutInput } from './put-journal.js'

const input: PutInput = { path: '/data/movie.mkv', size: 5_000_000, mtime: 1_700_000_000_000, dev: 1, ino: 2 }

describe('put journal versions', () => {
  let dir: string
  const saved = process.env.CAIRN_STATE_DIR
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-journal-'))
    process.env.CAIRN_STATE_DIR = dir
  })
  afterEach(async () => {
    if (saved === undefined) delete process.env.CAIRN_STATE_DIR
    else process.env.CAIRN_STATE_DIR = saved
    await rm(dir, { recursive: true, force: true })
  })

  it('resumes a journal of its own format, and starts afresh over one of format 1 (its last block and root would differ)', async () => {
    const first = await PutJournal.open(input)
    await first.close()
    const again = await PutJournal.open(input)
    await again.close()
    expect(Buffer.from(again.key).equals(Buffer.from(first.key))).toBe(true)
    const [file] = await readdir(join(dir, 'put'))
    const path = join(dir, 'put', file ?? '')
    const header = JSON.parse((await readFile(path, 'utf8')).split('\n')[0] ?? '') as Record<string, unknown>
    expect(header.v).toBe(2)
    await writeFile(path, `${JSON.stringify({ ...header, v: 1 })}\n`)
    const fresh = await PutJournal.open(input)
    await fresh.close()
    expect(Buffer.from(fresh.key).equals(Buffer.from(first.key))).toBe(false)
    expect(fresh.previous).toEqual([])
  })
})
