/**
 * This browser's storage: what Cairn's block store holds, the origin's usage
 * and quota (`navigator.storage.estimate()`), and whether the browser granted
 * persistent storage. Browser storage is a cache; hosts hold the replicas.
 */
import type { AppContext } from './context.js'
import { h } from './dom.js'
import { formatBytes } from './format.js'

const REFRESH_MS = 5_000

export function storagePanel (ctx: AppContext): HTMLElement {
  const meter = h('meter', { min: 0, max: 1, value: 0, 'aria-labelledby': 'storage-title' })
  const usage = h('p', { 'data-testid': 'storage-usage' })
  const blocks = h('p', { class: 'muted', 'data-testid': 'storage-blocks' })
  const persisted = h('p', { class: 'muted' }, ctx.tab.store.persisted
    ? 'Persistent storage granted: the browser will not evict these blocks under pressure.'
    : 'Storage is best-effort: the browser may evict blocks under pressure (hosts keep the replicas).')

  const render = async (): Promise<void> => {
    const [estimate, stats] = await Promise.all([
      navigator.storage?.estimate?.().catch(() => undefined),
      ctx.tab.store.stats().catch(() => undefined)
    ])
    if (estimate?.usage !== undefined && estimate.quota !== undefined && estimate.quota > 0) {
      meter.max = estimate.quota
      meter.value = estimate.usage
      usage.textContent = `${formatBytes(estimate.usage)} used of ${formatBytes(estimate.quota)} available to this site`
      usage.dataset['usage'] = String(estimate.usage)
      usage.dataset['quota'] = String(estimate.quota)
    } else {
      usage.textContent = 'This browser does not report its storage quota.'
    }
    if (stats !== undefined) blocks.textContent = `Cairn blocks here: ${stats.blocks} (${formatBytes(stats.bytes)})`
  }
  setInterval(() => { void render() }, REFRESH_MS)
  ctx.library.addEventListener('change', () => { void render() })
  void render()

  return h('section', { class: 'panel', 'aria-labelledby': 'storage-title' },
    h('h2', { id: 'storage-title' }, 'Storage'), meter, usage, blocks, persisted)
}
