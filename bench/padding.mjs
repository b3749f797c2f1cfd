// Size padding (format 2): what a storing host is handed per file, against the
// plaintext. Adds each size through @cairn/core (built, packages/core/dist)
// into a sink that only counts bytes, and prints one table row per size:
// content and manifest bytes stored (one copy), stored / plaintext, and
// format 1's content ciphertext for comparison (its exact size, which is what
// padding hides). Not part of `npm run bench`; runs in a few seconds:
//
//   npm run build && node bench/padding.mjs
import { addFile } from '@cairn/core'
import { bodyLength, setCryptoProvider } from '@cairn/core/crypto'
import { nodeCryptoProvider } from '@cairn/node-host'

setCryptoProvider(nodeCryptoProvider)
const MiB = 1024 * 1024
const SIZES = [0, 1, 100, 1000, 4095, 4096, 10_000, 65_536, 100_000, 500_000, MiB - 1, MiB + 1,
  3 * MiB + 1, 10_000_000, 100_000_000, 1024 * MiB + 1]
const PIECE = new Uint8Array(MiB).fill(7) // never modified: a source may hand the same piece again

async function * source (size) {
  for (let left = size; left > 0; left -= MiB) yield left >= MiB ? PIECE : PIECE.subarray(0, left)
}

const rows = []
for (const size of SIZES) {
  const stored = { content: 0, manifest: 0, blocks: 0 }
  const sink = {
    put: async (_id, bytes, options) => {
      if (options?.plaintext === undefined) stored.manifest += bytes.length
      else { stored.content += bytes.length; stored.blocks++ }
    }
  }
  await addFile(source(size), { name: 'file.bin' }, sink)
  const total = stored.content + stored.manifest
  rows.push({
    plaintext: size,
    blocks: stored.blocks,
    content: stored.content,
    manifest: stored.manifest,
    ratio: size === 0 ? '—' : (total / size).toFixed(size < 100_000 ? 1 : 4),
    v1Content: bodyLength(size)
  })
}
const header = ['plaintext', 'blocks', 'content', 'manifest', 'stored/plain', 'format-1 content']
console.log(`| ${header.join(' | ')} |\n|${header.map(() => '---:').join('|')}|`)
for (const r of rows) console.log(`| ${[r.plaintext, r.blocks, r.content, r.manifest, r.ratio, r.v1Content].map(v => v.toLocaleString('en')).join(' | ')} |`)
