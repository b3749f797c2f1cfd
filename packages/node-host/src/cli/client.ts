/**
 * How `put`, `get` and `status` reach a mesh: pick the target (`--mesh`, or the
 * local host from the data dir; `get` tries a list, see mesh-candidates.ts), then
 * dial it as a `client` node with a throwaway identity.
 */
import { CertificateError, HandshakeError, MeshNode, generateIdentity, type Mesh } from '@cairn/core'
import { cryptoProvider } from '@cairn/core/crypto'
import { DEFAULT_DIAL_TIMEOUT } from '@cairn/core/mesh'
import {
  DEFAULT_DATA_DIR, UnreachableError, dataDirPaths, givenToken, parseJoinUrl, parsePeerAddress, requireLocalHost,
  type MeshTarget
} from '../config/index.js'
import { WebSocketTransport } from '../transport/websocket.js'

export interface TargetOptions {
  /** `--mesh`: a join URL. */
  mesh?: string
  /** `--data`: where to find the local host. */
  data?: string
  /** `--token-file`: the join token, kept out of `ps`. */
  tokenFile?: string
}

/**
 * `--mesh` wins, else the local host (`get` has its own list: mesh-candidates.ts).
 * The token: `--token-file` if given; else, for a `--mesh` URL without `#join=`,
 * `$CAIRN_TOKEN` if set.
 */
export async function resolveTarget (options: TargetOptions): Promise<MeshTarget> {
  const target = await pickTarget(options)
  const carried = options.mesh === undefined || parsePeerAddress(options.mesh).token !== undefined
  return await withGivenToken(options, target, carried)
}

/**
 * `target` with the token the user gave outside the URL: `--token-file` always
 * wins; `$CAIRN_TOKEN` only when the URL or link carried no `#join=`.
 */
export async function withGivenToken (options: TargetOptions, target: MeshTarget, carried: boolean): Promise<MeshTarget> {
  const given = await givenToken({ tokenFile: options.tokenFile }, carried ? {} : process.env)
  return given === undefined ? target : { ...target, token: given.token }
}

async function pickTarget (options: TargetOptions): Promise<MeshTarget> {
  if (options.mesh !== undefined) return parseJoinUrl(options.mesh)
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
    const why = err.reason !== 'bad-token'
      ? `handshake failed (${err.reason})`
      : target.token === '' ? 'the URL has no join token (add #join=TOKEN from the host\'s join URL)' : 'wrong join token'
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
    crypto: cryptoProvider() // the CLI's: node:crypto on this thread, or its pool if $CAIRN_CRYPTO_THREADS set one
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
