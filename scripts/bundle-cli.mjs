#!/usr/bin/env node
/**
 * Bundles the built CLI (packages/node-host/dist/cli/entry.js and every module it
 * imports: @cairn/core, ws, cborg, multiformats, commander, cli-progress) into one
 * file, dist/cli/cairn.mjs, with rolldown. `cairn` (dist/cli/main.js) runs it instead
 * of ~290 separate modules, which halves the start-up every command pays.
 *
 * Beside it, cairn.inputs.json lists each bundled file with its size and mtime, as
 * `[path relative to dist/cli/, size, mtimeMs]`: main.js runs the bundle only while
 * every one is unchanged, so a later `tsc -b` or `npm ci` never runs stale code.
 *
 * Left out, loaded at run time as before: Node's built-ins; bufferutil and
 * utf-8-validate (ws's optional native addons); piscina, which starts workers from
 * its own files and is only loaded when CAIRN_CRYPTO_THREADS asks for a pool.
 *
 *   node scripts/bundle-cli.mjs     (part of `npm run build`, after tsc)
 */
import { statSync, writeFileSync } from 'node:fs'
import { dirname, isAbsolute, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'rolldown'

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'packages', 'node-host', 'dist', 'cli')
const entry = join(cli, 'entry.js')
const bundle = join(cli, 'cairn.mjs')
const inputs = join(cli, 'cairn.inputs.json')

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
  output: { file: bundle, format: 'esm', codeSplitting: false }
})
const files = [...loaded].filter((id) => isAbsolute(id)).sort()
if (!files.includes(entry)) throw new Error(`bundle-cli: ${entry} is not among the bundled modules`)
const record = files.map((file) => {
  const info = statSync(file)
  return [relative(cli, file).split(sep).join('/'), info.size, info.mtimeMs]
})
writeFileSync(inputs, `${JSON.stringify(record)}\n`)
console.log(`bundle-cli: ${relative(process.cwd(), bundle)} from ${files.length} modules`)
