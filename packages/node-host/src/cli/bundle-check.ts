import { readFileSync, statSync } from 'node:fs'

/**
 * Whether the CLI bundle described by `inputs` (cairn.inputs.json, written by
 * scripts/bundle-cli.mjs: `[path relative to it, size, mtimeMs]` for every
 * module bundled) is current: every one of them still has that size and
 * mtime. No list, an unreadable or malformed one, or a module changed or gone
 * all mean no: the caller runs the modules themselves.
 */
export function bundleIsCurrent (inputs: URL): boolean {
  let list: unknown
  try {
    list = JSON.parse(readFileSync(inputs, 'utf8'))
  } catch {
    return false
  }
  if (!Array.isArray(list) || list.length === 0) return false
  return list.every((input: unknown) => {
    if (!Array.isArray(input) || typeof input[0] !== 'string') return false
    const [path, size, mtimeMs] = input as [string, unknown, unknown]
    const info = statSync(new URL(path, inputs), { throwIfNoEntry: false })
    return info !== undefined && info.size === size && info.mtimeMs === mtimeMs
  })
}
