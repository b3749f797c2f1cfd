import {
  ConnectionClosedError, CairnError, ERR_NO_STORE, IntegrityError, NoStoreError, NotFoundError, ProtocolError, RemoteError,
  ReplicationError, StorageFullError, TimeoutError, AbortError, ExpiredError, ExpiryError, OwnerError, DeletedError,
  RelayBudgetError, RelayBusyError
} from '../errors.js'
import type { ErrorMessage, Message } from '../wire/messages.js'
import { Semaphore } from './semaphore.js'

/*
 * Outgoing requests on one connection, multiplexed by id. A request that
 * times out or is aborted fails for its caller at once, but its slot stays
 * taken until the peer's final reply arrives (or the connection closes), so
 * we never have more requests in flight at the peer than its limit allows.
 * A caller giving up (an asker leaving a relay) says nothing of the peer, but
 * its request keeps its deadline: requests unanswered past their deadline
 * (`timedOut`) are the peer not answering, and past half the slots it is
 * `stoppedAnswering`. Waiting for a free slot is bounded by the request's
 * timeout too, so a peer that holds every slot cannot stall later requests.
 */

/**
 * Feed a reply; return `{ value }` when it completes the request. Throw
 * `ProtocolError` if it does not fit. `{ refuse, final }`: fail the caller
 * now with `refuse` (the receiver will not take the reply, e.g. a relay cap)
 * without faulting the peer; the request keeps its slot until its `final` reply.
 * `live` is false once the caller gave up (a timeout, an abort, a refusal):
 * the rest of the reply is for nobody and is only awaited, not kept.
 */
export type ReplyHandler<T> = (msg: Message, live: boolean) => { value: T } | { refuse: Error, final: boolean } | undefined

interface Entry {
  handle: ReplyHandler<unknown>
  resolve?: (value: unknown) => void
  reject?: (err: Error) => void
  timer?: ReturnType<typeof setTimeout>
  cleanup?: () => void
  /** Unanswered past its deadline. */
  timedOut?: true
  onFinal: () => void
}

export interface RequestOptions {
  timeout?: number
  signal?: AbortSignal
}

const MAX_REQUEST_ID = 0xffffffff

export class RequestTable {
  private readonly entries = new Map<number, Entry>()
  private lastId = 0
  /** Requests whose caller gave up, still awaiting the peer's reply. */
  abandoned = 0
  /**
   * Of those, the ones unanswered past their deadline: the peer not answering.
   * A request its caller aborted or refused keeps its deadline (it still holds
   * a slot at the peer), so a peer that never answers those is counted too.
   */
  timedOut = 0

  private readonly slots: Semaphore
  private readonly stoppedAnswering: () => void

  /** At most `limit` requests in flight; `stoppedAnswering` once over half of them are past their deadline unanswered. */
  constructor ({ limit = Infinity, stoppedAnswering = () => {} }: { limit?: number, stoppedAnswering?: () => void } = {}) {
    this.slots = new Semaphore(limit)
    this.stoppedAnswering = stoppedAnswering
  }

  /** Send a request when a slot is free (within its timeout) and await its reply. */
  async request<T> (send: (id: number) => Promise<void>, handle: ReplyHandler<T>, options: RequestOptions): Promise<T> {
    if (!this.slots.tryAcquire()) await this.waitForSlot(options)
    const id = this.nextId()
    const reply = this.open(id, handle, options, () => { this.slots.release() })
    send(id).catch((err: Error) => { this.fail(id, err) })
    this.checkAnswering()
    return await reply
  }

  private async waitForSlot ({ timeout, signal }: RequestOptions): Promise<void> {
    if (timeout === undefined || !Number.isFinite(timeout)) return await this.slots.acquire(signal)
    const deadline = AbortSignal.timeout(timeout)
    try {
      await this.slots.acquire(signal === undefined ? deadline : AbortSignal.any([signal, deadline]))
    } catch (err) {
      if (err instanceof AbortError && deadline.aborted && signal?.aborted !== true) throw new TimeoutError(`no request slot free within ${timeout} ms`)
      throw err
    }
  }

  private checkAnswering (): void {
    if (this.timedOut > this.slots.limit / 2) this.stoppedAnswering()
  }

  nextId (): number {
    do {
      this.lastId = this.lastId >= MAX_REQUEST_ID ? 1 : this.lastId + 1
    } while (this.entries.has(this.lastId))
    return this.lastId
  }

  /** Register request `id`; `onFinal` runs once its last reply arrived or it was dropped. */
  open<T> (id: number, handle: ReplyHandler<T>, options: RequestOptions, onFinal: () => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Entry = { handle, resolve: resolve as (value: unknown) => void, reject, onFinal }
      this.entries.set(id, entry)
      if (options.timeout !== undefined && Number.isFinite(options.timeout)) {
        entry.timer = setTimeout(() => { this.expire(id, options.timeout!) }, options.timeout)
      }
      const signal = options.signal
      if (signal !== undefined) {
        const onAbort = (): void => { this.abandon(id, new AbortError('request aborted', { cause: signal.reason })) }
        if (signal.aborted) queueMicrotask(onAbort)
        else signal.addEventListener('abort', onAbort, { once: true })
        entry.cleanup = () => { signal.removeEventListener('abort', onAbort) }
      }
    })
  }

  /**
   * Route a reply. Returns false if no request `id` is open (a late reply
   * to a closed request is not an error). Throws `ProtocolError` for a reply
   * that does not fit its request (the request fails with it).
   */
  reply (id: number, msg: Message): boolean {
    const entry = this.entries.get(id)
    if (entry === undefined) return false
    let result: ReturnType<ReplyHandler<unknown>>
    try {
      result = msg.t === 'error' ? { value: undefined } : entry.handle(msg, entry.reject !== undefined)
    } catch (err) {
      this.finish(id, entry, err as Error)
      throw err
    }
    if (msg.t === 'error') this.finish(id, entry, errorFromReply(msg))
    else if (result !== undefined && 'refuse' in result) {
      this.abandon(id, result.refuse)
      if (result.final) this.finish(id, entry)
    } else if (result !== undefined) this.finish(id, entry, undefined, result.value)
    return true
  }

  /** Fail one request for its caller (send failed, ...), releasing its slot. */
  fail (id: number, err: Error): void {
    const entry = this.entries.get(id)
    if (entry !== undefined) this.finish(id, entry, err)
  }

  /** Fail every request, and every wait for a slot: the connection is gone. */
  close (err: Error = new ConnectionClosedError('connection closed')): void {
    for (const [id, entry] of [...this.entries]) this.finish(id, entry, err)
    this.slots.close(err)
  }

  /** Its deadline passed unanswered: fail its caller (if still waiting) and count it. */
  private expire (id: number, timeout: number): void {
    const entry = this.entries.get(id)
    if (entry === undefined || entry.timedOut === true) return
    this.abandon(id, new TimeoutError(`request timed out after ${timeout} ms`))
    entry.timedOut = true
    this.timedOut++
    this.checkAnswering()
  }

  /** Its caller gives up; the request keeps its slot, and its deadline, until the peer's final reply. */
  private abandon (id: number, err: Error): void {
    const entry = this.entries.get(id)
    if (entry?.reject === undefined) return
    const reject = entry.reject
    this.settleCaller(entry, true)
    this.abandoned++
    reject(err)
  }

  private settleCaller (entry: Entry, keepDeadline = false): void {
    if (!keepDeadline) clearTimeout(entry.timer)
    entry.cleanup?.()
    delete entry.resolve
    delete entry.reject
  }

  private finish (id: number, entry: Entry, err?: Error, value?: unknown): void {
    this.entries.delete(id)
    if (entry.reject === undefined) this.abandoned--
    if (entry.timedOut === true) this.timedOut--
    const { resolve, reject } = entry
    this.settleCaller(entry)
    if (err !== undefined) reject?.(err)
    else resolve?.(value)
    entry.onFinal()
  }
}

/** The typed error for an `error` reply. */
export function errorFromReply (msg: ErrorMessage): CairnError {
  const text = `peer replied ${msg.code}${msg.message === undefined ? '' : `: ${msg.message}`}`
  switch (msg.code) {
    case 'ERR_STORAGE_FULL': return new StorageFullError(text)
    case 'ERR_EXPIRY': return new ExpiryError(text)
    case 'ERR_EXPIRED': return new ExpiredError(text)
    case 'ERR_OWNER': return new OwnerError(text)
    case 'ERR_DELETED': return new DeletedError(text)
    case 'ERR_RELAY_BUDGET': return new RelayBudgetError(text)
    case 'ERR_RELAY_BUSY': return new RelayBusyError(text)
    case 'ERR_REPLICATION': return new ReplicationError(text, 0)
    case 'ERR_INTEGRITY': return new IntegrityError(text)
    case 'ERR_NOT_FOUND': return new NotFoundError(text)
    case 'ERR_PROTOCOL': return new ProtocolError(text)
    case ERR_NO_STORE: return new NoStoreError(text)
    default: return new RemoteError(msg.code, text)
  }
}
