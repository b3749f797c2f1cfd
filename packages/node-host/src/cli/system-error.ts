/** A failed system call in words ("permission denied"), not its bare errno code ("EACCES"). */

/** libuv's own description, e.g. "EACCES: permission denied, open '/x'" → "permission denied". */
const UV_MESSAGE = /^[A-Z][A-Z0-9_]*: ([^,]+)/

export function systemErrorText (err: unknown): string {
  const e = err as NodeJS.ErrnoException
  const words = typeof e?.message === 'string' ? UV_MESSAGE.exec(e.message)?.[1] : undefined
  return words ?? (typeof e?.code === 'string' ? e.code : 'failed')
}
