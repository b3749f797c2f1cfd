import { AbortError, InvalidArgumentError, UnavailableError } from '../errors.js'
import type { Connection, Transport } from './connection.js'
import { memoryPair } from './memory.js'
import type { MemoryPairInit } from './memory.js'

export const MEMORY_SCHEME = 'memory://'

export interface MemoryTransportInit {
  /** Address the dialing side reports as its own (default: a fresh `memory://dialer-N`). */
  localAddress?: string
}

/**
 * An in-memory network of named listeners, so mesh nodes in tests can dial
 * each other by address without sockets:
 *
 * ```ts
 * const net = new MemoryNetwork()
 * net.listen('memory://a', conn => { void nodeA.accept(conn) })
 * const conn = await net.transport().dial('memory://a')
 * ```
 */
export class MemoryNetwork {
  private readonly listeners = new Map<string, (conn: Connection) => void>()
  private readonly pairInit: Omit<MemoryPairInit, 'addresses'>
  private dialers = 0

  /** `init` sets frame size and buffering of every connection on this network. */
  constructor (init: Omit<MemoryPairInit, 'addresses'> = {}) {
    this.pairInit = init
  }

  /** Accept connections to `address`; returns a function that stops listening. */
  listen (address: string, onConnection: (conn: Connection) => void): () => void {
    if (!address.startsWith(MEMORY_SCHEME)) throw new InvalidArgumentError(`not a memory address: ${address}`)
    if (this.listeners.has(address)) throw new InvalidArgumentError(`already listening on ${address}`)
    this.listeners.set(address, onConnection)
    return () => {
      if (this.listeners.get(address) === onConnection) this.listeners.delete(address)
    }
  }

  /** A `Transport` that dials listeners on this network. */
  transport (init: MemoryTransportInit = {}): MemoryTransport {
    return new MemoryTransport(this, init.localAddress ?? `${MEMORY_SCHEME}dialer-${++this.dialers}`)
  }

  /** Connect `from` to the listener at `address`; the listener gets the other end. */
  connect (address: string, from: string): Connection {
    const onConnection = this.listeners.get(address)
    if (onConnection === undefined) throw new UnavailableError(`nothing listens on ${address}`)
    const [local, remote] = memoryPair({ ...this.pairInit, addresses: [from, address] })
    try {
      onConnection(remote)
    } catch (cause) {
      local.close()
      throw new UnavailableError(`listener on ${address} failed`, { cause })
    }
    return local
  }
}

export class MemoryTransport implements Transport {
  readonly name = 'memory'
  readonly localAddress: string
  private readonly network: MemoryNetwork

  constructor (network: MemoryNetwork, localAddress: string) {
    this.network = network
    this.localAddress = localAddress
  }

  canDial (address: string): boolean {
    return typeof address === 'string' && address.startsWith(MEMORY_SCHEME) && address.length > MEMORY_SCHEME.length
  }

  async dial (address: string, options: { signal?: AbortSignal } = {}): Promise<Connection> {
    if (options.signal?.aborted === true) throw new AbortError('dial aborted', { cause: options.signal.reason })
    if (!this.canDial(address)) throw new UnavailableError(`cannot dial ${address}`)
    return this.network.connect(address, this.localAddress)
  }
}
