import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import * as errors from '../src/errors.js'
import { CairnError, DecryptionError, ERR_NO_STORE, errorFromCode, InvalidArgumentError, NoStoreError, OutOfRangeError, RemoteError } from '../src/errors.js'
import { errorFromReply } from '../src/mesh/requests.js'

const SRC = fileURLToPath(new URL('../src/', import.meta.url))

function sources (dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'testing' ? [] : sources(path)
    return /\.ts$/.test(entry.name) && !/\.test\.ts$|test-support\.ts$|arbitraries\.ts$/.test(entry.name) ? [path] : []
  })
}

describe('errors', () => {
  it('core throws only typed errors (CairnError subclasses), never a bare Error, RangeError or TypeError', () => {
    const files = sources(SRC)
    expect(files.length).toBeGreaterThan(50)
    const untyped = files.flatMap(file => readFileSync(file, 'utf8').split('\n').flatMap((line, i) =>
      /\b(throw|reject\(|controller\.error\()\s*new (Error|RangeError|TypeError)\(/.test(line) ? [`${relative(SRC, file)}:${i + 1}`] : []))
    expect(untyped).toEqual([])
  })

  it('every error class has a distinct stable code', () => {
    const codes = new Map<string, string>()
    for (const [name, value] of Object.entries(errors)) {
      if (typeof value !== 'function' || !(value.prototype instanceof Error)) continue
      const Class = value as unknown as new (...args: unknown[]) => CairnError
      const error = name === 'RemoteError' || name === 'HandshakeError' ? new Class('X', 'm') : new Class('m', 0)
      expect(error).toBeInstanceOf(CairnError)
      expect(error.code).toMatch(/^ERR_[A-Z_]+$/)
      expect(error.name).toBe(name)
      if (name !== 'NoStoreError') { // a RemoteError: its own code is the remoteCode
        expect(codes.get(error.code), `${name} and ${codes.get(error.code) ?? ''} share ${error.code}`).toBeUndefined()
        codes.set(error.code, name)
      }
    }
    expect(codes.size).toBeGreaterThan(20)
  })

  it('argument errors are one family: an OutOfRangeError is an InvalidArgumentError', () => {
    const error = new OutOfRangeError('offset 5 outside a 4-byte file')
    expect(error).toBeInstanceOf(InvalidArgumentError)
    expect(error.code).toBe('ERR_OUT_OF_RANGE')
    expect(new InvalidArgumentError('x').code).toBe('ERR_INVALID_ARGUMENT')
  })

  it('ERR_NO_STORE lives in errors.ts and an ERR_NO_STORE reply is a NoStoreError', () => {
    const error = errorFromReply({ t: 'error', id: 1, code: ERR_NO_STORE, message: 'this node keeps no blocks' })
    expect(error).toBeInstanceOf(NoStoreError)
    expect(error).toBeInstanceOf(RemoteError)
    expect((error as RemoteError).remoteCode).toBe('ERR_NO_STORE')
    expect(new NoStoreError().remoteCode).toBe(ERR_NO_STORE)
  })

  it('errorFromCode gives back the class of every code that crosses a boundary as code + message', () => {
    let mapped = 0
    for (const [name, value] of Object.entries(errors)) {
      if (typeof value !== 'function' || !(value.prototype instanceof Error)) continue
      if (['CairnError', 'RemoteError', 'NoStoreError', 'HandshakeError'].includes(name)) continue
      const Class = value as unknown as new (...args: unknown[]) => CairnError
      const original = new Class('what happened', 0)
      const back = errorFromCode(original.code, 'what happened')
      expect(back).toBeInstanceOf(Class)
      expect(back.code).toBe(original.code)
      if (!(back instanceof DecryptionError)) expect(back.message).toBe('what happened') // DecryptionError has one generic message
      mapped++
    }
    expect(mapped).toBeGreaterThan(18)
    const unknown = errorFromCode('ERR_SOMETHING_NEW', 'from a newer page')
    expect(unknown).toBeInstanceOf(RemoteError)
    expect(unknown).toMatchObject({ remoteCode: 'ERR_SOMETHING_NEW', message: 'from a newer page' })
  })
})
