/**
 * This browser's storage: what Cairn's block store holds, the origin's usage
 * and quota (`navigator.storage.estimate()`), and whether the browser granted
 * persistent storage. Browser storage is a cache; hosts hold the replicas.
 */
import type { AppContext } from './context.js'
import { h } from './dom.js'
import { formatBytes } from './format.js'

const REFRESH_MS = 5_000

const PERSISTENCE_TEXT = {
  granted: 'Persistent storage granted: the browser will not evict these blocks under pressure.',
  asking: 'Persistent storage asked for: until the browser (or you, at its prompt) grants it, it may evict blocks under pressure (hosts keep the replicas).',
  'best-effort': 'Storage is best-effort: the browser may evict blocks under pressure (hosts keep the replicas).'
} as const

export function storagePanel (ctx: AppContext): HTMLElement {
  const meter = h('meter', { min: 0, max: 1, value: 0, 'aria-labelledby': 'storage-title' })
  const usage = h('p', { 'data-testid': 'storage-usage' })
  const blocks = h('p', { class: 'muted', 'data-testid': 'storage-blocks' })
  const persisted = h('p', { class: 'muted', 'data-testid': 'storage-persistence' })
  const { persistence } = ctx.tab.store
  const showPersistence = (): void => {
    persisted.dataset['state'] = persistence.state
    persisted.textContent = PERSISTENCE_TEXT[persistence.state]
  }
  persistence.addEventListener('change', showPersistence)
  showPersistence()

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
    if (stats !== undefined) {
      const cap = stats.capacity === undefined ? '' : ` of at most ${formatBytes(stats.capacity)}`
      blocks.textContent = `Cairn blocks here: ${stats.blocks} (${formatBytes(stats.bytes)}${cap})`
    }
  }
  setInterval(() => { void render() }, REFRESH_MS)
  ctx.library.addEventListener('change', () => { void render() })
  void render()

  return h('section', { class: 'panel', 'aria-labelledby': 'storage-title' },
    h('h2', { id: 'storage-title' }, 'Storage'), meter, usage, blocks, persisted,
    storageLimitForm(ctx, () => { void render() }))
}

const LIMIT_KEY = 'cairn-storage-limit-mib'

/** The user's cap on what this browser keeps, in bytes (undefined: the browser's quota only). */
export function savedStorageLimit (): number | undefined {
  const mib = Number(localStorage.getItem(LIMIT_KEY) ?? '')
  return Number.isFinite(mib) && mib > 0 ? mib * 1024 * 1024 : undefined
}

/** A small form to cap Cairn's browser storage below the browser's quota. */
export function storageLimitForm (ctx: AppContext, onChange: () => void): HTMLFormElement {
  const current = savedStorageLimit()
  const input = h('input', {
    id: 'storage-limit', type: 'number', min: 1, step: 1, inputmode: 'numeric',
    value: current === undefined ? '' : current / (1024 * 1024), placeholder: 'no limit'
  })
  const form = h('form', { class: 'limit-form' },
    h('label', { for: 'storage-limit' }, 'Keep at most (MiB, empty for no limit)'),
    h('div', { class: 'link-row' }, input, h('button', { type: 'submit', class: 'secondary' }, 'Set limit')))
  form.addEventListener('submit', event => {
    event.preventDefault()
    const mib = Number(input.value)
    if (input.value === '' || !(mib > 0)) localStorage.removeItem(LIMIT_KEY)
    else localStorage.setItem(LIMIT_KEY, String(Math.floor(mib)))
    ctx.tab.store.maxStorage = savedStorageLimit()
    onChange()
  })
  return form
}
