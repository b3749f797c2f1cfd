/**
 * The replica target R of the host this tab puts blocks through, from its
 * status reply, so "1 copy" can be told as "1 of 3". Undefined when the host
 * is not connected or does not answer.
 */
import type { Tab } from '../mesh/tab.js'

const STATUS_TIMEOUT_MS = 5_000

export async function replicaTarget (tab: Tab): Promise<number | undefined> {
  const host = tab.hostPeerId
  if (host === undefined || tab.state !== 'connected') return undefined
  try {
    return (await tab.mesh.requestStatus(host, { signal: AbortSignal.timeout(STATUS_TIMEOUT_MS) })).replicas
  } catch {
    return undefined
  }
}
