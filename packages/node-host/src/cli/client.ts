/**
 * How `put`, `get` and `status` reach a mesh: pick the target (`--mesh`, the
 * link's own join URL, or the local host from the data dir), then dial it as a
 * `client` node with a throwaway identity.
 */
import { CertificateError, HandshakeError, MeshNode, generateIdentity, type Mesh } from '@cairn/core'
import { DEFAULT_DIAL_TIMEOUT } from '@cairn/core/mesh'
import {
  DEFAULT_DATA_DIR, UnreachableError, dataDirPaths, meshAddressOf, parseJoinUrl, requireLocalHost, type MeshTarget
} from '../config/index.js'
import { nodeCryptoProvider } from '../crypto/node-provider.js'
import { WebSocketTransport } from '../transport/websocket.js'

export interface TargetOptions {
  /** `--mesh`: a join URL. */
  mesh?: string
  /** `--data`: where to find the local host. */
  data?: string
}

/** `--mesh` wins, then the link's own origin and token, then the local host. */
export async function resolveTarget (options: TargetOptions, fromLink?: { origin?: string, join?: string }): Promise<MeshTarget> {
  if (options.mesh !== undefined) return parseJoinUrl(options.mesh)
  if (fromLink?.origin !== undefined) {
    return { origin: fromLink.origin, address: meshAddressOf(fromLink.origin), token: fromLink.join ?? '' }
  }
  const host = await requireLocalHost(dataDirPaths(options.data ?? DEFAULT_DATA_DIR))
  return parseJoinUrl(host.url)
}

export interface MeshClient {
  mesh: Mesh
  /** The host we dialed. */
  hostId: string
  target: MeshTarget
  close (): Promise<void>
}

/** Handshake failures that mean "could not talk", not "was refused". */
const NOT_A_REFUSAL = new Set(['closed', 'timeout', 'aborted'])

function connectError (err: unknown, target: MeshTarget): Error {
  if (err instanceof CertificateError) return err
  if (err instanceof HandshakeError && !NOT_A_REFUSAL.has(err.reason)) {
    const why = err.reason === 'bad-token' ? 'wrong join token' : `handshake failed (${err.reason})`
    return new HandshakeError(err.reason, `${target.origin} refused the connection: ${why}`, { cause: err })
  }
  const why = err instanceof Error ? err.message : String(err)
  return new UnreachableError(`cannot reach the mesh at ${target.origin}: ${why}`, { cause: err })
}

export async function connectClient (target: MeshTarget, options: { signal?: AbortSignal, timeout?: number } = {}): Promise<MeshClient> {
  const identity = await generateIdentity({ extractable: false })
  const mesh = new MeshNode({
    identity,
    role: 'client',
    transports: [new WebSocketTransport()],
    joinToken: target.token,
    autoDial: false,
    repairInterval: 0,
    crypto: nodeCryptoProvider
  })
  await mesh.start()
  const signals = [AbortSignal.timeout(options.timeout ?? DEFAULT_DIAL_TIMEOUT)]
  if (options.signal !== undefined) signals.push(options.signal)
  let hostId: string
  try {
    hostId = await mesh.dial(target.address, { signal: AbortSignal.any(signals) })
  } catch (err) {
    await mesh.stop()
    if (options.signal?.aborted === true) throw err
    throw connectError(err, target)
  }
  return { mesh, hostId, target, close: async () => { await mesh.stop() } }
}
