import type { NodeContext } from './context.js'

/**
 * Keepalive: every `pingInterval` ms, each peer silent that long is pinged;
 * no `pong` within `pingTimeout` disconnects it. Returns the function that
 * stops it (nothing runs when the interval is 0).
 */
export function startKeepalive (ctx: Pick<NodeContext, 'peerList' | 'tuning'>): () => void {
  const every = ctx.tuning.pingInterval
  if (every <= 0) return () => {}
  const timer = setInterval(() => { ping(ctx, every) }, every)
  return () => { clearInterval(timer) }
}

function ping (ctx: Pick<NodeContext, 'peerList' | 'tuning'>, idleMs: number): void {
  const now = performance.now()
  for (const peer of ctx.peerList()) {
    if (now - peer.lastReceived < idleMs) continue
    peer.ping({ timeout: ctx.tuning.pingTimeout }).catch(() => { peer.disconnect('ERR_TIMEOUT', 'no answer to ping') })
  }
}
