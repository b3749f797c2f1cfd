import { spawn } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { OutputBusyError } from '../config/index.js'
import { exitCodeFor } from './exit-codes.js'
import { lockOutput, outputLockPath } from './output-lock.js'

const dirs: string[] = []
afterEach(async () => { for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true }) })

async function tempDir (): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-lock-'))
  dirs.push(dir)
  return dir
}

/** The pid of a process that has exited. */
async function deadPid (): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' })
  await new Promise(resolve => child.once('exit', resolve))
  return child.pid!
}

describe('the output lock of get', () => {
  it('is exclusive while held: a second taker gets ERR_OUTPUT_BUSY (exit 9) naming the holder', async () => {
    const path = join(await tempDir(), 'out.bin')
    const lock = await lockOutput(path)
    expect(JSON.parse(await readFile(outputLockPath(path), 'utf8'))).toEqual({ pid: process.pid, host: hostname() })
    const refused = await lockOutput(path).catch((err: unknown) => err)
    expect(refused).toBeInstanceOf(OutputBusyError)
    expect((refused as OutputBusyError).code).toBe('ERR_OUTPUT_BUSY')
    expect(exitCodeFor(refused)).toBe(9)
    expect((refused as Error).message).toContain(`(process ${process.pid})`)
    await lock.release()
    await lock.release()
    const again = await lockOutput(path)
    await again.release()
    expect(await readdir(join(path, '..'))).toEqual([])
  })

  it('takes over a lock left by a get that no longer runs', async () => {
    const path = join(await tempDir(), 'out.bin')
    await writeFile(outputLockPath(path), JSON.stringify({ pid: await deadPid(), host: hostname() }))
    const lock = await lockOutput(path)
    expect(JSON.parse(await readFile(outputLockPath(path), 'utf8')).pid).toBe(process.pid)
    await lock.release()
  })

  it('never takes over a lock from another machine, nor a fresh one without an owner yet', async () => {
    const path = join(await tempDir(), 'out.bin')
    await writeFile(outputLockPath(path), JSON.stringify({ pid: await deadPid(), host: `not-${hostname()}` }))
    await expect(lockOutput(path)).rejects.toThrow(/another cairn get \(process \d+ on not-/)
    await writeFile(outputLockPath(path), '')
    await expect(lockOutput(path)).rejects.toThrow(OutputBusyError)
    // An empty lock long past its creation was left by a crash.
    const old = new Date(Date.now() - 60_000)
    await utimes(outputLockPath(path), old, old)
    const lock = await lockOutput(path)
    await lock.release()
  })
})
