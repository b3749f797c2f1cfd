/**
 * Progress bars on stderr for long work, shown only when stderr is a terminal
 * and the output is not `--json`. Otherwise every call is a no-op.
 */
import cliProgress from 'cli-progress'
import { formatSize } from '../config/index.js'

export interface Progress {
  /** Set the bytes done so far. */
  update (done: number): void
  /** Learn the total once known (e.g. a file's size from its manifest). */
  setTotal (total: number): void
  stop (): void
}

const NO_PROGRESS: Progress = { update () {}, setTotal () {}, stop () {} }

export function progressEnabled (json: boolean | undefined): boolean {
  return json !== true && process.stderr.isTTY
}

/** A byte-counting bar labelled `label` (e.g. the file name). */
export function createProgress (label: string, total: number, enabled: boolean): Progress {
  if (!enabled) return NO_PROGRESS
  const started = Date.now()
  const bar = new cliProgress.SingleBar({
    stream: process.stderr,
    format: '{label} [{bar}] {percentage}% {done}/{size} {rate}',
    barsize: 30,
    hideCursor: true,
    clearOnComplete: false,
    fps: 8
  }, cliProgress.Presets.shades_classic)
  const payload = (done: number, size: number): Record<string, string> => {
    const seconds = Math.max((Date.now() - started) / 1000, 0.001)
    return { label, done: formatSize(done), size: formatSize(size), rate: `${formatSize(done / seconds)}/s` }
  }
  let size = total
  bar.start(Math.max(size, 1), 0, payload(0, size))
  return {
    update (done) { bar.update(done, payload(done, size)) },
    setTotal (next) {
      size = next
      bar.setTotal(Math.max(next, 1))
    },
    stop () { bar.stop() }
  }
}
