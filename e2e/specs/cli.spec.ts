/**
 * (c) The CLI and the web app share one mesh: a file added with `cairn put`
 * downloads in a tab, and a file added in a tab downloads with `cairn get`,
 * byte-identical both ways.
 */
import { join } from 'node:path'
import { addFile, download, MiB, sha256File, waitConnected, writeRandomFile } from '../support/app.js'
import { expect, test } from '../support/fixtures.js'

const SIZE = 8 * MiB + 12345

test('(c) a file added with the CLI downloads in a tab', async ({ startHost, openTab, cli, tmp }) => {
  const host = await startHost()
  const input = join(tmp, 'from-cli.bin')
  const sha = await writeRandomFile(input, SIZE, 7)
  const put = await cli(['put', input, '--mesh', host.url, '--json'])
  expect(put.code, put.stderr).toBe(0)
  const result = JSON.parse(put.stdout.trim().split('\n').at(-1)!) as { link: string, size: number, replicas: number }
  expect(result.size).toBe(SIZE)
  expect(result.replicas).toBeGreaterThanOrEqual(1)

  // The CLI prints its link in web form (with the join token) or plain; a tab opens either.
  const url = result.link.startsWith('http') ? result.link : `${host.url}&file=${result.link}`
  const tab = await openTab(url)
  await waitConnected(tab)
  await expect(tab.getByTestId('file-name')).toHaveText('from-cli.bin', { timeout: 30_000 })
  expect(await sha256File(await download(tab))).toBe(sha)
})

test('(c) a file added in a tab downloads with the CLI', async ({ startHost, openTab, cli, tmp }) => {
  const host = await startHost()
  const input = join(tmp, 'from-tab.bin')
  const sha = await writeRandomFile(input, SIZE, 8)
  const tab = await openTab(host.url)
  await waitConnected(tab)
  const { link, replicas } = await addFile(tab, input)
  expect(replicas).toBeGreaterThanOrEqual(1)

  const out = join(tmp, 'fetched.bin')
  const get = await cli(['get', link, '-o', out])
  expect(get.code, get.stderr).toBe(0)
  expect(await sha256File(out)).toBe(sha)
})
