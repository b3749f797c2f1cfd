import { availableParallelism } from 'node:os'
import type { Piscina } from 'piscina'
import { DecryptionError, InternalError } from '@cairn/core'
import {
  CHUNKS_PER_BLOCK, MAX_BLOCK_SIZE, setCryptoProvider, type BlockAead, type CryptoProvider
} from '@cairn/core/crypto'
import { UsageError } from '../config/errors.js'
import { installNodeCrypto, nodeCryptoProvider } from './node-provider.js'
import { OUTPUT_AT, TASK_BUFFER_SIZE, type PoolReply, type PoolTask } from './pool-task.js'

export interface CryptoPoolInit {
  /** Worker threads (default: the machine's cores, at most 4). */
  threads?: number
  /** Calls on fewer bytes run on the calling thread (default 64 KiB: a worker's round trip costs more). */
  minBytes?: number
  /** The worker module (default: the built `dist/crypto/pool-worker.js`). */
  filename?: URL
}

export interface CryptoPool extends CryptoProvider {
  /** Ends the workers; calls after this run on the calling thread. */
  close: () => Promise<void>
}

/**
 * Core's `CryptoProvider` on node:crypto spread over a `worker_threads` pool
 * (piscina), so a process whose one thread is the bottleneck (the `cairn get`
 * and `put` client) can seal, open and hash whole blocks on idle cores. Each
 * call copies its input into a pooled task buffer, which moves to a worker
 * and back (transferred, not cloned), and copies the output out: two memcpys
 * per block on the calling thread instead of the crypto itself. Small calls,
 * and any larger than one block, run on the calling thread
 * (`nodeCryptoProvider`, same bytes). The workers start on first use and are
 * unref'd while idle, so the pool never keeps a process alive.
 */
export function createCryptoPool (init: CryptoPoolInit = {}): CryptoPool {
  const threads = init.threads ?? Math.min(4, availableParallelism())
  const minBytes = init.minBytes ?? 64 * 1024
  let closed = false
  /** Task buffers back from workers, for the next calls (up to 64: as many as calls in flight; more are left to GC). */
  const spare: ArrayBuffer[] = []
  let nextKeyId = 1

  // piscina is loaded on first use: a CLI without CAIRN_CRYPTO_THREADS never pays for loading it.
  let starting: Promise<Piscina<PoolTask, PoolReply>> | undefined
  const workers = async (): Promise<Piscina<PoolTask, PoolReply>> => {
    starting ??= import('piscina').then(({ Piscina }) => new Piscina<PoolTask, PoolReply>({
      // '../crypto/': right both from dist/crypto/ (this module) and from dist/cli/cairn.mjs (the CLI bundle).
      filename: (init.filename ?? new URL('../crypto/pool-worker.js', import.meta.url)).href,
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: 30_000
    }))
    return await starting
  }

  /** Run `task` in a worker; the caller's copy-in filled `buffer` (now moved). */
  const run = async (task: PoolTask): Promise<PoolReply> => {
    try {
      return await (await workers()).run(task, { transferList: [task.buffer] })
    } catch (cause) {
      throw new InternalError('a crypto pool worker failed', { cause })
    }
  }

  const release = (buffer: ArrayBuffer): void => {
    if (spare.length < 64) spare.push(buffer)
  }

  const take = (): ArrayBuffer => spare.pop() ?? new ArrayBuffer(TASK_BUFFER_SIZE)

  const inPool = (length: number): boolean => !closed && length >= minBytes && length <= MAX_BLOCK_SIZE

  class PoolBlockAead implements BlockAead {
    readonly #keyId = nextKeyId++
    readonly #raw: Uint8Array
    readonly #inline: BlockAead

    constructor (raw: Uint8Array, inline: BlockAead) {
      this.#raw = raw.slice()
      this.#inline = inline
    }

    async sealChunks (nonces: Uint8Array, chunks: readonly Uint8Array[], out: Uint8Array, offset: number): Promise<void> {
      let length = 0
      for (const chunk of chunks) length += chunk.length
      if (!inPool(length) || chunks.length > CHUNKS_PER_BLOCK) return await this.#inline.sealChunks(nonces, chunks, out, offset)
      const buffer = take()
      const input = new Uint8Array(buffer, 0, length)
      for (let j = 0, at = 0; j < chunks.length; at += (chunks[j] as Uint8Array).length, j++) input.set(chunks[j] as Uint8Array, at)
      const reply = await run({ op: 'seal', keyId: this.#keyId, key: this.#raw, nonces: own(nonces), buffer, length })
      out.set(new Uint8Array(reply.buffer, OUTPUT_AT, reply.length), offset)
      release(reply.buffer)
    }

    async openChunks (nonces: Uint8Array, sealed: Uint8Array, out: Uint8Array): Promise<void> {
      if (!inPool(sealed.length)) return await this.#inline.openChunks(nonces, sealed, out)
      const buffer = take()
      new Uint8Array(buffer, 0, sealed.length).set(sealed)
      const reply = await run({ op: 'open', keyId: this.#keyId, key: this.#raw, nonces: own(nonces), buffer, length: sealed.length })
      if (!reply.ok) {
        release(reply.buffer)
        throw new DecryptionError()
      }
      out.set(new Uint8Array(reply.buffer, OUTPUT_AT, reply.length))
      release(reply.buffer)
    }
  }

  return {
    name: 'node-pool',
    async importAeadKey (raw: Uint8Array): Promise<BlockAead> {
      return new PoolBlockAead(raw, await nodeCryptoProvider.importAeadKey(raw))
    },
    async sha256 (bytes: Uint8Array): Promise<Uint8Array> {
      if (!inPool(bytes.length)) return await nodeCryptoProvider.sha256(bytes)
      const buffer = take()
      new Uint8Array(buffer, 0, bytes.length).set(bytes)
      const reply = await run({ op: 'sha256', keyId: 0, buffer, length: bytes.length })
      const digest = new Uint8Array(reply.buffer, OUTPUT_AT, reply.length).slice()
      release(reply.buffer)
      return digest
    },
    async close (): Promise<void> {
      closed = true
      spare.length = 0
      const pool = await starting?.catch(() => undefined)
      await pool?.close()
    }
  }
}

/** A message copies the whole buffer under a view: send nonces on a buffer of their own. */
function own (bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice()
}

/** The environment variable that sets the CLI's crypto threads. */
export const CRYPTO_THREADS_ENV = 'CAIRN_CRYPTO_THREADS'

/**
 * Core's provider for a CLI process, from `$CAIRN_CRYPTO_THREADS`: unset or
 * 0, node:crypto on the calling thread (the default: on the 2-core machine
 * the bench runs on, the pool cost the get and put clients more CPU and was
 * no faster, docs/design.md); N (1–64), a pool of N workers, for a client
 * with idle cores. Anything else is a usage error.
 */
export function installCliCrypto (value: string | undefined): void {
  if (value === undefined || value === '' || value === '0') return installNodeCrypto()
  const threads = Number(value)
  if (!/^\d+$/.test(value) || threads > 64) throw new UsageError(`${CRYPTO_THREADS_ENV} must be a whole number from 0 to 64, got '${value}'`)
  setCryptoProvider(createCryptoPool({ threads }))
}
