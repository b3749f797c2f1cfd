/**
 * How the CLI words replica health, the same for `status` and `put`: copies now
 * against the target R, counted by the hosts (core mesh/repair.ts).
 */
import type { HostStatus } from '@cairn/core'

export function plural (n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}

/** Why live hosts cannot hold R copies, if they cannot. */
function tooFewHosts (storingHosts: number, target: number): string {
  return storingHosts < target ? ` (only ${plural(storingHosts, 'storing host')} ${storingHosts === 1 ? 'is' : 'are'} live)` : ''
}

/** The `status` warning when held blocks are below target; undefined when all are at target. */
export function replicaShortfall (status: Pick<HostStatus, 'underReplicated' | 'replicas' | 'storingHosts'>): string | undefined {
  if (status.underReplicated === 0) return undefined
  const { underReplicated: under, replicas, storingHosts } = status
  const hosts = storingHosts === undefined ? '' : tooFewHosts(storingHosts, replicas)
  return `${plural(under, 'block')} ${under === 1 ? 'has' : 'have'} fewer than ${replicas} copies${hosts}`
}

/** The `put` warning when a file reached its write quorum but not the target R. */
export function putShortfall (name: string, copies: number, target: number, storingHosts: number | undefined): string | undefined {
  if (copies >= target) return undefined
  const hosts = storingHosts === undefined ? '' : tooFewHosts(storingHosts, target)
  return `${name}: stored with ${copies} of ${target} copies${hosts}`
}
