/**
 * Issues 13 and 16 together: a folder's owner secret and expiry cover the
 * files it lists. `put DIR` tags every block of the folder (its nodes and
 * every file) with one owner tag and one expiry, so `cairn rm FOLDER_LINK`
 * and the deadline take each file with the folder, even by the file's own link.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Cluster, waitFor, type HostProcess } from './harness.js'

const cluster = new Cluster()
afterEach(async () => { await cluster.cleanup() })

interface Put { link: string, root: string, owner: string, files: number, expires?: string }
interface Entry { path: string, kind: string, link: string }

async function blocks (host: HostProcess): Promise<number> {
  return (await cluster.json<{ blocks: number }>(['status', '--mesh', host.url]))[0]!.blocks
}

/** A folder with a nested file: `top.txt`, `sub/inner.txt`. */
async function tree (): Promise<string> {
  const dir = join(await cluster.tempDir(), 'shared')
  await mkdir(join(dir, 'sub'), { recursive: true })
  await writeFile(join(dir, 'top.txt'), 'top bytes\n')
  await writeFile(join(dir, 'sub', 'inner.txt'), 'inner bytes\n')
  return dir
}

/** Each file's own link, as `ls -R --json` of the folder lists it. */
async function fileLinks (link: string, host: HostProcess): Promise<string[]> {
  const entries = await cluster.json<Entry>(['ls', link, '-R', '--mesh', host.url, '--json'])
  const files = entries.filter(e => e.kind === 'file')
  expect(files.map(e => e.path).sort()).toEqual(['sub/inner.txt', 'top.txt'])
  return files.map(e => e.link)
}

describe('a folder\'s lifecycle covers its files', () => {
  it('rm FOLDER_LINK with the owner secret removes every file of the folder, each by its own link too', async () => {
    const env = { CAIRN_STATE_DIR: await cluster.tempDir('cairn-state-') }
    const host = await cluster.startHost(['--gc-interval', '1s'])
    const [put] = await cluster.json<Put>(['put', await tree(), '--mesh', host.url], { env })
    expect(put).toMatchObject({ files: 2 })
    expect(put!.owner).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const links = await fileLinks(put!.link, host)
    for (const link of links) expect((await cluster.cli(['get', link, '--mesh', host.url])).code).toBe(0)

    const rm = await cluster.cli(['rm', put!.link, '--mesh', host.url], { env })
    expect(rm.code).toBe(0)
    for (const link of links) {
      const gone = await cluster.cli(['get', link, '--mesh', host.url])
      expect(gone.code).toBe(5)
      expect(gone.stderr).toMatch(/removed by its owner/)
    }
    await waitFor('the host to reclaim every block of the folder', async () => await blocks(host) === 0 ? true : undefined, { timeout: 30_000 })
  })

  it('put DIR --expires: from the deadline no file of the folder is served', async () => {
    const host = await cluster.startHost()
    const env = { CAIRN_STATE_DIR: await cluster.tempDir('cairn-state-') }
    const [put] = await cluster.json<Put>(['put', await tree(), '--mesh', host.url, '--expires', '4s'], { env })
    const deadline = Date.parse(put!.expires!)
    expect(deadline).toBeGreaterThan(Date.now())
    const links = await fileLinks(put!.link, host)
    await waitFor('the deadline', async () => Date.now() > deadline + 100 ? true : undefined, { timeout: 30_000 })
    for (const link of links) {
      const expired = await cluster.cli(['get', link, '--mesh', host.url])
      expect(expired.code).toBe(5)
      expect(expired.stderr).toMatch(/expired/)
    }
  })
})
