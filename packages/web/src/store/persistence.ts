/**
 * Persistent storage (`navigator.storage.persist()`), asked for without ever
 * waiting on the answer. Firefox answers `persist()` only once the user has
 * dealt with its permission prompt, which a headless or unattended browser
 * never does: awaiting it kept the app from starting at all. So the state is
 * read at once with `persisted()` (no prompt), and the request goes on in the
 * background; `answer` settles if and when the browser decides.
 */

export type PersistenceState = 'granted' | 'asking' | 'best-effort'

/** The part of `StorageManager` used here (tests pass a fake). */
export interface PersistenceApi {
  persisted?: () => Promise<boolean>
  persist?: () => Promise<boolean>
}

export class Persistence extends EventTarget {
  state: PersistenceState = 'best-effort'

  /** Read the current state, then ask in the background; never waits for a prompt. Dispatches 'change'. */
  static async request (storage: PersistenceApi | undefined = globalThis.navigator?.storage): Promise<Persistence> {
    const persistence = new Persistence()
    if (await settled(storage?.persisted?.()) === true) {
      persistence.state = 'granted'
      return persistence
    }
    const asked = storage?.persist?.()
    if (asked === undefined) return persistence
    persistence.state = 'asking'
    asked.then(
      granted => { persistence.set(granted ? 'granted' : 'best-effort') },
      () => { persistence.set('best-effort') })
    return persistence
  }

  private set (state: PersistenceState): void {
    this.state = state
    this.dispatchEvent(new Event('change'))
  }
}

/** The promise's value, or undefined if it rejects or throws. */
async function settled<T> (promise: Promise<T> | undefined): Promise<T | undefined> {
  try {
    return await promise
  } catch {
    return undefined
  }
}
