/**
 * An AbortSignal that fires on the first SIGINT or SIGTERM, so a client
 * command can stop its transfer and clean up (no partial output files). A
 * second signal exits at once.
 */
import { setMaxListeners } from 'node:events'
import { AbortError } from '@cairn/core'
import { EXIT } from './exit-codes.js'

export function interruptSignal (): AbortSignal {
  const controller = new AbortController()
  // Every block in flight listens on it: no leak, just concurrency.
  setMaxListeners(0, controller.signal)
  const onSignal = (name: NodeJS.Signals): void => {
    if (controller.signal.aborted) process.exit(EXIT.INTERRUPTED)
    controller.abort(new AbortError(`interrupted by ${name}`))
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  return controller.signal
}
