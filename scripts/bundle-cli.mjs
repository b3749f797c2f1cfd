#!/usr/bin/env node
/**
 * Bundles the built CLI (packages/node-host/dist/cli/entry.js and every module it
 * imports: @cairn/core, ws, cborg, multiformats, commander, cli-progress) into one
 * file, dist/cli/cairn.mjs, with rolldown. `cairn` (dist/cli/main.js) runs it instead
 * of ~270 separate modules, which halves the start-up every command pays.
 *
 * Beside it, cairn.inputs.json lists each bundled file, and node_modules/.package-lock.json
 * (npm rewrites it on every install, which may change how a package resolves), with its
 * size and mtime, as `[path relative to dist/cli/, size, mtimeMs]`: main.js runs the
 * bundle only while every one is unchanged, so a later `tsc -b` or `npm ci` never runs
 * stale code. The list is removed first and written last, and the bundle is renamed
 * into place, so a `cairn` started meanwhile runs the modules, never a half-written
 * bundle; a module written while bundling fails the build.
 *
 * Left out, loaded at run time as before: Node's built-ins; bufferutil and
 * utf-8-validate (ws's optional native addons); piscina, which starts workers from
 * its own files and is only loaded when CAIRN_CRYPTO_THREADS asks for a pool.
 *
 *   node scripts/bundle-cli.mjs     (part of `npm run build`, after tsc)
 */
import { existsSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, isAbsolute, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'rolldown'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const cli = join(root, 'packages', 'node-host', 'dist', 'cli')
const entry = join(cli, 'entry.js')
const bundle = join(cli, 'cairn.mjs')
const inputs = join(cli, 'cairn.inputs.json')
const installed = join(root, 'node_modules', '.package-lock.json')

rmSync(inputs, { force: true })
const started = Date.now()
/** Every module rolldown loaded, tree-shaken ones included (a barrel that only re-exports). */
const loaded = new Set()
await build({
  input: entry,
  platform: 'node',
  external: [/^node:/, 'bufferutil', 'utf-8-validate', 'piscina'],
  logLevel: 'warn',
  plugins: [{
    name: 'record-inputs',
    buildEnd () {
      for (const id of this.getModuleIds()) loaded.add(id)
    }
  }],
  output: { file: `${bundle}.tmp`, format: 'esm', codeSplitting: false }
})
const files = [...loaded].filter((id) => isAbsolute(id)).sort()
if (!files.includes(entry)) throw new Error(`bundle-cli: ${entry} is not among the bundled modules`)
if (existsSync(installed)) files.push(installed)
const record = files.map((file) => {
  const info = statSync(file)
  // Whole milliseconds of slack: mtimes are kept finer than Date.now() counts.
  if (file !== installed && info.mtimeMs > started + 1) {
    throw new Error(`bundle-cli: ${file} changed while bundling; run it again`)
  }
  return [relative(cli, file).split(sep).join('/'), info.size, info.mtimeMs]
})
renameSync(`${bundle}.tmp`, bundle)
writeFileSync(`${inputs}.tmp`, `${JSON.stringify(record)}\n`)
renameSync(`${inputs}.tmp`, inputs)
console.log(`bundle-cli: ${relative(process.cwd(), bundle)} from ${files.length - (existsSync(installed) ? 1 : 0)} modules`)
