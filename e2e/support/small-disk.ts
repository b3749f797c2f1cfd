/**
 * A disk that really fills up, for the browser: a tmpfs of a given size
 * mounted in the e2e runner's private mount namespace (`run.mjs` runs
 * everything under `unshare -n -m`, so the mount is invisible outside and
 * vanishes with the run even if unmounting here fails).
 */
import { spawnSync } from 'node:child_process'
import { mkdir } from 'node:fs/promises'

function mustRun (command: string, args: string[]): void {
  const result = spawnSync(command, args, { encoding: 'utf8' })
  if (result.error !== undefined) throw new Error(`${command}: ${result.error.message}`)
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr}`)
}

/** Mount a `bytes`-sized tmpfs at `dir`; resolves with a function that unmounts it. */
export async function mountSmallDisk (dir: string, bytes: number): Promise<() => void> {
  if (process.env['CAIRN_E2E_NETNS'] !== '1') throw new Error('a small disk needs the private namespaces of e2e/run.mjs: run `npm run e2e`')
  await mkdir(dir, { recursive: true })
  mustRun('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'cairn-e2e-small-disk', dir])
  return () => { mustRun('umount', ['--lazy', dir]) }
}
