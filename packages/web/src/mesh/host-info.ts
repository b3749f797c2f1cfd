/**
 * What the host that served this page says before joining (`GET /info`):
 * whether its mesh needs a join token. A page opened without `#join=` asks
 * for a join link up front instead of failing the handshake; on an `--open`
 * host the bare URL joins as it is.
 */

export interface HostInfo {
  joinTokenRequired: boolean
}

const INFO_TIMEOUT_MS = 5_000

/** The host's answer, or undefined when it gives none (an older host, a plain static server). */
export async function fetchHostInfo (): Promise<HostInfo | undefined> {
  try {
    const res = await fetch('/info', { cache: 'no-store', signal: AbortSignal.timeout(INFO_TIMEOUT_MS) })
    if (!res.ok) return undefined
    const body = await res.json() as unknown
    if (typeof body !== 'object' || body === null) return undefined
    const { app, joinTokenRequired } = body as Record<string, unknown>
    return app === 'cairn' && typeof joinTokenRequired === 'boolean' ? { joinTokenRequired } : undefined
  } catch {
    return undefined
  }
}
