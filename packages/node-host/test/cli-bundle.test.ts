/**
 * `npm run build` bundles the CLI into dist/cli/cairn.mjs (scripts/bundle-cli.mjs),
 * and `cairn` (dist/cli/main.js) runs that one file while it is current: seen in a
 * V8 CPU profile of the process, which names every script that ran.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { bundleIsCurrent } from '../src/cli/bundle-check.js'
import { CLI } from './support/host-process.js'

const INPUTS = new URL('../dist/cli/cairn.inputs.json', import.meta.url)

let dir: string | undefined
afterEach(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  dir = undefined
})

describe('the CLI bundle', () => {
  it('the build leaves a current bundle of the CLI and everything it imports', () => {
    const list = JSON.parse(readFileSync(INPUTS, 'utf8')) as Array<[string, number, number]>
    const paths = list.map(([path]) => path)
    expect(paths).toContain('entry.js')
    expect(paths).toContain('program.js')
    expect(paths.some(path => path.endsWith('core/dist/file/read.js'))).toBe(true)
    expect(paths.some(path => path.includes('node_modules/ws/'))).toBe(true)
    expect(bundleIsCurrent(INPUTS)).toBe(true)
  })

  it('cairn runs the bundle, not the separate modules', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-bundle-'))
    const run = spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, CLI, '--version'], { encoding: 'utf8' })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version
    expect(run.stdout.trim()).toBe(version)
    const [profile] = await readdir(dir)
    expect(profile).toBeDefined()
    const { nodes } = JSON.parse(await readFile(join(dir, profile as string), 'utf8')) as { nodes: Array<{ callFrame: { url: string } }> }
    const urls = new Set(nodes.map(node => node.callFrame.url))
    expect([...urls].some(url => url.endsWith('/dist/cli/cairn.mjs'))).toBe(true)
    expect([...urls].filter(url => /\/dist\/cli\/(program|entry)\.js$/.test(url))).toEqual([])
  })
})
