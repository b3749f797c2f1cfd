import type { BlockId } from '../block/id.js'
import { assertBlockId, equalBytes } from '../block/id.js'
import { AbortError, DeletedError, InvalidArgumentError, NotFoundError, OwnerError, ProtocolError, UnavailableError } from '../errors.js'
import type { AbortOptions } from '../store/block-store.js'
import type { BlockRecord } from '../store/record.js'
import { MAX_TOMBSTONES } from '../wire/limits.js'
import type { NodeContext } from './context.js'
import { isStoringHost } from './context.js'
import type { Peer } from './peer.js'
import { OWNER_SECRET_LENGTH } from './owner.js'
import type { Tombstones } from './tombstones.js'

/*
 * Owner removal. `put` seals each file with a fresh owner secret; hosts keep
 * only its SHA-256 (the owner tag, in every block's record). A removal names
 * the root and the secret. Each storing host checks the secret against the
 * root's record if it holds the root: a mismatch is refused (ERR_OWNER) and
 * changes nothing; a match becomes a verified tombstone, and the next GC
 * pass drops every block with that owner tag. A tab's or client's host asks
 * itself and every storing host it is connected to; hosts hand verified
 * tombstones to every host that connects (see tombstones.ts).
 */

export type LocalRemoval = 'verified' | 'mismatch' | 'absent'

export class Remover {
  private readonly ctx: NodeContext
  private readonly tombstones: Tombstones
  private readonly collect: () => void

  /** `collect`: run a GC pass soon (after any pass running now). */
  constructor (ctx: NodeContext, tombstones: Tombstones, collect: () => void) {
    this.ctx = ctx
    this.tombstones = tombstones
    this.collect = collect
  }

  /** Removal at this host only. */
  async local (root: BlockId, secret: Uint8Array): Promise<LocalRemoval> {
    const store = this.ctx.store
    if (this.ctx.role !== 'host' || store === undefined) return 'absent'
    const tag = await this.ctx.sha256(secret)
    const held = await store.has(root)
    const record = held ? await store.record(root) : undefined
    if (held && (record?.owner === undefined || !equalBytes(record.owner, tag))) return 'mismatch'
    // Not holding the root: other blocks of the file may be here; the pass keeps the tombstone if so.
    this.tombstones.add(secret, tag, held)
    this.collect()
    // Saved before the removal is confirmed, so a host that restarts still hands it to one that was down.
    await this.tombstones.save()
    return held ? 'verified' : 'absent'
  }

  /**
   * Removal asked by a tab or client (or this host's own caller): here and at
   * every connected storing host. Resolves with the hosts that verified it;
   * throws `OwnerError` if some host refused and none verified, `NotFoundError` if no host holds the root.
   */
  async coordinate (root: BlockId, secret: Uint8Array, options: AbortOptions = {}): Promise<number> {
    const hosts = this.ctx.peerList().filter(isStoringHost)
    const outcomes = await Promise.all([
      this.local(root, secret),
      ...hosts.map(async peer => await this.ask(peer, root, secret, options))
    ])
    const verified = outcomes.filter(o => o === 'verified').length
    if (verified > 0) return verified
    if (outcomes.includes('mismatch')) throw new OwnerError('the owner secret does not match this file: nothing was removed')
    throw new NotFoundError(`no host holds ${root.toString()}`)
  }

  /** `Mesh.removeFile`: a host coordinates; a tab or client asks a connected host to. */
  async removeFile (root: BlockId, secret: Uint8Array, options: AbortOptions = {}): Promise<void> {
    assertBlockId(root)
    if (!(secret instanceof Uint8Array) || secret.length !== OWNER_SECRET_LENGTH) throw new InvalidArgumentError(`owner secret must be ${OWNER_SECRET_LENGTH} bytes`)
    if (this.ctx.role === 'host') {
      await this.coordinate(root, secret, options)
      return
    }
    const host = this.ctx.peerList().find(peer => peer.role === 'host' && !peer.isClosed)
    if (host === undefined) throw new UnavailableError('no host is connected')
    if (!await host.remove(root, secret, { timeout: 2 * this.ctx.tuning.requestTimeout, ...options })) throw new NotFoundError(`no host holds ${root.toString()}`)
  }

  /** Tombstones from another host: each one dropped unless a GC pass finds blocks it names. */
  receive (peer: Peer, secrets: Uint8Array[]): void {
    if (peer.role !== 'host') throw new ProtocolError('tombstones from a peer that is not a host')
    if (this.ctx.role !== 'host' || this.ctx.store === undefined) return
    void Promise.all(secrets.map(async secret => {
      this.tombstones.add(secret, await this.ctx.sha256(secret), false)
    })).then(() => { this.collect() }, (err: unknown) => { this.ctx.failed('gc', err) })
  }

  /** Hand this host's verified tombstones to a host that connected. */
  share (peer: Peer): void {
    if (peer.role !== 'host' || this.ctx.role !== 'host') return
    const secrets = this.tombstones.verified()
    for (let i = 0; i < secrets.length; i += MAX_TOMBSTONES) peer.post({ t: 'tombstones', secrets: secrets.slice(i, i + MAX_TOMBSTONES) })
  }

  /** Throws `DeletedError` if `record` names a removed file. */
  check (cid: BlockId, record: BlockRecord | undefined): void {
    if (this.tombstones.matches(record?.owner) || (record === undefined && this.tombstones.wasDropped(cid.toString()))) throw new DeletedError(`block ${cid.toString()}: the file was removed by its owner`)
  }

  private async ask (peer: Peer, root: BlockId, secret: Uint8Array, options: AbortOptions): Promise<LocalRemoval> {
    try {
      return await peer.remove(root, secret, { timeout: this.ctx.tuning.requestTimeout, ...options }) ? 'verified' : 'absent'
    } catch (err) {
      if (err instanceof OwnerError) return 'mismatch'
      if (err instanceof AbortError) throw err
      return 'absent' // unreachable now: it learns the tombstone when it next connects
    }
  }
}
