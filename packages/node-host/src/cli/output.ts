/** What commands print: JSON lines for `--json`, plain lines otherwise. */
import { once } from 'node:events'

export function printJson (value: unknown): void {
  process.stdout.write(JSON.stringify(value) + '\n')
}

export function printLine (text: string): void {
  process.stdout.write(text + '\n')
}

/** Log to stderr (diagnostics that are not the command's output). */
export function logLine (text: string): void {
  process.stderr.write(text + '\n')
}

/** Resolve once everything written to `stream` so far has been handed to the OS. */
export async function flushStream (stream: NodeJS.WriteStream): Promise<void> {
  if (stream.writableLength === 0) return
  await Promise.race([once(stream, 'drain'), once(stream, 'close'), once(stream, 'error')])
}
