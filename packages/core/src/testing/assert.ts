/**
 * A tiny assertion helper for the compliance suites, so they run under any
 * test runner (vitest in Node, a plain loop in a browser page). Failures are
 * plain `Error`s with a message that says what was expected.
 */

export class AssertionError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'AssertionError'
  }
}

export function ok (value: unknown, message: string): asserts value {
  if (value === false || value === null || value === undefined || value === 0 || value === '') {
    throw new AssertionError(message)
  }
}

export function equal<T> (actual: T, expected: T, message: string): void {
  if (!Object.is(actual, expected)) {
    throw new AssertionError(`${message}: expected ${show(expected)}, got ${show(actual)}`)
  }
}

export function bytesEqual (actual: Uint8Array, expected: Uint8Array, message: string): void {
  if (!(actual instanceof Uint8Array)) {
    throw new AssertionError(`${message}: expected a Uint8Array, got ${show(actual)}`)
  }
  if (actual.length !== expected.length) {
    throw new AssertionError(`${message}: expected ${expected.length} bytes, got ${actual.length}`)
  }
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] !== expected[i]) {
      throw new AssertionError(`${message}: bytes differ at offset ${i}`)
    }
  }
}

/** Await `promise` and check it rejects with an error whose `code` is `code`. */
export async function rejectsWithCode (promise: Promise<unknown>, code: string, message: string): Promise<unknown> {
  try {
    await promise
  } catch (err) {
    const actual = (err as { code?: unknown } | null)?.code
    if (actual !== code) {
      throw new AssertionError(`${message}: expected error code ${code}, got ${show(actual)} (${String(err)})`)
    }
    return err
  }
  throw new AssertionError(`${message}: expected a rejection with code ${code}, but it resolved`)
}

function show (value: unknown): string {
  if (value instanceof Uint8Array) return `Uint8Array(${value.length})`
  if (typeof value === 'string') return JSON.stringify(value)
  return String(value)
}
