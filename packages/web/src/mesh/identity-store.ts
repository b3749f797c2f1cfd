/**
 * This tab's Ed25519 identity, kept in IndexedDB with its private key
 * non-extractable: the `CryptoKey` itself is stored (structured clone), so
 * script can sign with it but never read it out.
 *
 * Tabs of one browser profile share IndexedDB, yet each needs its own peer id.
 * Identities live in numbered slots; a tab takes the first slot whose Web
 * Lock it can hold and keeps the lock for its lifetime, so a reloaded tab gets
 * its identity back and two open tabs never share one.
 */
import { get, set } from 'idb-keyval'
import { generateIdentity } from '@cairn/core'
import { peerIdFromPublicKey } from '@cairn/core/mesh'
import type { Identity } from '@cairn/core'
import type { UseStore } from 'idb-keyval'
import { yieldingStore } from '../store/yielding-store.js'

const store = (): UseStore => yieldingStore('cairn-identity', 'keys')
/** Slots tried before falling back to a throwaway identity. */
const MAX_SLOTS = 64

interface StoredIdentity {
  publicKey: Uint8Array
  privateKey: CryptoKey
}

export interface TabIdentity {
  identity: Identity
  /** The slot this tab holds, or -1 for a throwaway identity (no storage or locks). */
  slot: number
}

/** Load (or create and persist) this tab's identity. */
export async function loadTabIdentity (): Promise<TabIdentity> {
  const slot = await claimSlot()
  if (slot < 0) return { identity: await generateIdentity({ extractable: false }), slot }
  const keys = store()
  const key = `slot-${slot}`
  const stored = await get<StoredIdentity>(key, keys).catch(() => undefined)
  if (stored !== undefined && isUsable(stored)) {
    return { identity: { peerId: peerIdFromPublicKey(stored.publicKey), ...stored }, slot }
  }
  const identity = await generateIdentity({ extractable: false })
  await set(key, { publicKey: identity.publicKey, privateKey: identity.privateKey }, keys).catch(() => {})
  return { identity, slot }
}

function isUsable (stored: StoredIdentity): boolean {
  return stored.publicKey instanceof Uint8Array && stored.publicKey.length === 32 &&
    stored.privateKey instanceof CryptoKey && !stored.privateKey.extractable
}

/** Take the first free slot lock and hold it until the tab goes away. */
async function claimSlot (): Promise<number> {
  const locks = navigator.locks
  if (locks === undefined) return -1
  for (let slot = 0; slot < MAX_SLOTS; slot++) {
    const got = await new Promise<boolean>(resolve => {
      void locks.request(`cairn-identity-${slot}`, { ifAvailable: true }, async lock => {
        resolve(lock !== null)
        // Held for the page's lifetime: the promise never settles.
        if (lock !== null) await new Promise(() => {})
      })
    })
    if (got) return slot
  }
  return -1
}
