/**
 * Where `get` fetches a link from. A web link's origin is a hint, not the only
 * way in: its host may be gone while the local host, or another host of the
 * same mesh, holds every block. Candidates, in order: `--mesh` alone (explicit:
 * no fallback); else the link's own host, then the local host (`<data>/host.json`)
 * and the hosts it remembers (`<data>/peers.json`), those two only when they
 * belong to the link's mesh (the same join token). The first that answers is
 * used; when it is not the first, stderr says which.
 */
import { originOfMeshAddress } from '@cairn/core'
import {
  DEFAULT_DATA_DIR, dataDirPaths, loadPeers, loadToken, meshAddressOf, parseJoinUrl, readHostFile, requireLocalHost, type MeshTarget
} from '../config/index.js'
import { connectClient, resolveTarget, withGivenToken, type MeshClient, type TargetOptions } from './client.js'

export interface Candidate {
  target: MeshTarget
  /** What it is, for messages: "the link's host", "the local host", … */
  label: string
}

/** Remembered hosts tried at most (each can take the connect timeout when it does not answer). */
export const MAX_KNOWN_CANDIDATES = 8

export async function linkCandidates (options: TargetOptions, link: { origin?: string, join?: string }): Promise<Candidate[]> {
  if (options.mesh !== undefined) return [{ target: await resolveTarget(options), label: '--mesh' }]
  const paths = dataDirPaths(options.data ?? DEFAULT_DATA_DIR)
  const list: Candidate[] = []
  let linkTarget: MeshTarget | undefined
  if (link.origin !== undefined) {
    const carried = { origin: link.origin, address: meshAddressOf(link.origin), token: link.join ?? '' }
    linkTarget = await withGivenToken(options, carried, link.join !== undefined)
    list.push({ target: linkTarget, label: 'the link\'s host' })
  }
  const local = await readHostFile(paths)
  const localTarget = local === undefined ? undefined : parseJoinUrl(local.url)
  // The mesh to stay in: the link's own, else the local host's.
  const token = linkTarget !== undefined ? linkTarget.token : localTarget?.token ?? await loadToken(paths)
  if (localTarget !== undefined && localTarget.token === token) list.push({ target: localTarget, label: 'the local host' })
  if (token !== undefined) {
    const { peers } = await loadPeers(paths, token)
    for (const peer of peers.slice(0, MAX_KNOWN_CANDIDATES)) {
      const address = peer.addrs[0]!
      list.push({ target: { origin: originOfMeshAddress(address), address, token }, label: 'a host of this mesh' })
    }
  }
  const unique = list.filter((c, i) => list.findIndex(o => o.target.address === c.target.address) === i)
  // Nothing at all (a bare ROOT.KEY, no local host, none remembered): requireLocalHost says so.
  if (unique.length === 0) await requireLocalHost(paths)
  return unique
}

/** Connect to the first candidate that answers; `notice` hears which one when it is not the first. */
export async function connectFirst (
  candidates: Candidate[], options: { signal?: AbortSignal, notice: (line: string) => void }
): Promise<MeshClient> {
  let first: unknown
  for (const candidate of candidates) {
    try {
      const client = await connectClient(candidate.target, options.signal === undefined ? {} : { signal: options.signal })
      if (first !== undefined) {
        const why = first instanceof Error ? first.message : String(first)
        options.notice(`${why}; using ${candidate.label} ${candidate.target.origin} instead`)
      }
      return client
    } catch (err) {
      if (options.signal?.aborted === true) throw err
      first ??= err
    }
  }
  const others = candidates.length - 1
  if (others > 0 && first instanceof Error) {
    first.message += `; ${others === 1 ? 'the other host' : `the ${others} other hosts`} of this mesh did not answer either`
  }
  throw first
}
