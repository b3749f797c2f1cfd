/**
 * Connection state and peers: each connected host and tab by name (a host's
 * `--name`, a tab's browser and OS) with its role, transport and bytes
 * moved. Rows are updated in place four times a second, on every peer change and
 * whenever this browser's files change (an upload just finished), so the
 * counters keep up with transfers.
 */
import type { PeerStatus } from '@cairn/core'
import type { AppContext } from './context.js'
import { h, replace } from './dom.js'
import { describeError } from './errors.js'
import { formatBytes, shortId } from './format.js'
import { relayingHosts, relayText } from '../mesh/relay-status.js'

const REFRESH_MS = 250

/** What a tab without direct links can and cannot do (mesh/rtc-status.ts). */
export const WITHOUT_RTC = 'Adding, opening, streaming and previewing files still work through the hosts; a file that only another tab holds (no host keeps a copy) cannot be fetched here.'
/** The same with a relaying host connected (mesh/relay-status.ts). */
export const WITHOUT_RTC_RELAYED = 'Adding, opening, streaming and previewing files still work through the hosts, and a file that only another tab holds comes through the host relay.'

const STATE_TEXT = {
  connecting: 'Connecting to the host…',
  connected: 'Connected to the mesh',
  disconnected: 'Disconnected — retrying'
} as const

export function peersPanel (ctx: AppContext): HTMLElement {
  const { tab } = ctx
  const state = h('p', { class: 'state', role: 'status', 'data-testid': 'connection-state' })
  const count = h('span', { 'data-testid': 'peer-count' }, '0')
  const body = h('tbody')
  const table = h('table', { class: 'peers', 'data-testid': 'peers-table', 'data-renders': '0' },
    h('caption', { class: 'visually-hidden' }, 'Connected peers'),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Peer'), h('th', { scope: 'col' }, 'Role'), h('th', { scope: 'col' }, 'Transport'),
      h('th', { scope: 'col', class: 'num' }, 'Sent'), h('th', { scope: 'col', class: 'num' }, 'Received'))),
    body)
  const empty = h('p', { class: 'muted' }, 'No peers yet.')
  const ice = h('p', { class: 'muted', 'data-testid': 'ice-servers' })
  const rtc = h('p', { class: 'notice', role: 'status', 'data-testid': 'rtc-status' })
  const relay = h('p', { class: 'muted', 'data-testid': 'relay-status' })
  const problem = h('p', { class: 'error', role: 'alert', 'data-testid': 'connection-error', hidden: true })
  tab.addEventListener('error', event => {
    const { summary, detail } = describeError((event as CustomEvent<unknown>).detail)
    problem.textContent = detail === '' ? summary : `${summary} (${detail})`
    problem.hidden = false
  })

  const render = (): void => {
    setText(state, STATE_TEXT[tab.state])
    if (tab.state === 'connected') problem.hidden = true
    state.dataset['state'] = tab.state
    const peers = tab.mesh.peers()
    setText(count, String(peers.length))
    updateRows(body, peers)
    // Counts refreshes, so a test can wait for one that began after a transfer ended.
    table.dataset['renders'] = String(Number(table.dataset['renders']) + 1)
    table.hidden = peers.length === 0
    empty.hidden = peers.length > 0
    const { state: rtcState, reason } = tab.rtc.status
    rtc.dataset['state'] = rtcState
    rtc.hidden = rtcState === 'available'
    ice.hidden = rtcState === 'unavailable'
    const relayed = relayingHosts(peers).length > 0
    relay.dataset['relays'] = String(relayed)
    setText(relay, relayText(peers))
    setText(rtc, rtcState === 'available' ? '' : `Direct tab-to-tab links: unavailable, because ${reason}. ${relayed ? WITHOUT_RTC_RELAYED : WITHOUT_RTC}`)
    const servers = tab.mesh.iceServers()
    ice.dataset['count'] = String(servers.length)
    setText(ice, servers.length === 0
      ? 'Tab-to-tab links: local network only (the host names no STUN/TURN server).'
      : `Tab-to-tab links: ${servers.length} STUN/TURN server${servers.length === 1 ? '' : 's'} from the host (${servers.flatMap(s => s.urls).join(', ')}).`)
  }
  tab.addEventListener('state', render)
  tab.mesh.addEventListener('peer:connect', render)
  tab.mesh.addEventListener('peer:disconnect', render)
  tab.mesh.addEventListener('ice', render)
  tab.rtc.addEventListener('status', render)
  ctx.library.addEventListener('change', render)
  setInterval(render, REFRESH_MS)
  render()

  return h('section', { class: 'panel', 'aria-labelledby': 'peers-title' },
    h('h2', { id: 'peers-title' }, 'Mesh'),
    state,
    problem,
    h('p', {}, 'This tab: ',
      tab.mesh.name === undefined ? null : h('strong', { 'data-testid': 'self-name' }, tab.mesh.name),
      tab.mesh.name === undefined ? null : ' ',
      h('code', { title: tab.peerId, 'data-testid': 'self-id' }, shortId(tab.peerId)),
      ' · peers: ', count),
    table, empty, rtc, relay, ice)
}

/** Bring the table's rows in line with `peers`, reusing each peer's row. */
function updateRows (body: HTMLTableSectionElement, peers: PeerStatus[]): void {
  const rows = new Map([...body.rows].map(r => [r.dataset['peerId'], r]))
  peers.forEach((peer, i) => {
    const existing = rows.get(peer.peerId)
    rows.delete(peer.peerId)
    const tr = existing ?? newRow()
    fill(tr, peer)
    if (body.rows[i] !== tr) body.insertBefore(tr, body.rows[i] ?? null)
  })
  for (const stale of rows.values()) stale.remove()
}

function newRow (): HTMLTableRowElement {
  return h('tr', { 'data-testid': 'peer-row' },
    h('td', { class: 'peer' }), h('td'), h('td'), h('td', { class: 'num' }), h('td', { class: 'num' }))
}

function fill (tr: HTMLTableRowElement, peer: PeerStatus): void {
  const data = {
    peerId: peer.peerId,
    role: peer.role,
    transport: peer.transport,
    bytesSent: String(peer.bytesSent),
    bytesReceived: String(peer.bytesReceived),
    name: peer.name ?? ''
  }
  const changedPeer = tr.dataset['peerId'] !== peer.peerId || (tr.dataset['name'] ?? '') !== data.name
  Object.assign(tr.dataset, data)
  if (peer.name === undefined) delete tr.dataset['name']
  const [who, role, transport, sent, received] = [...tr.cells] as HTMLTableCellElement[]
  if (changedPeer) {
    replace(who!,
      peer.name === undefined ? null : h('span', { class: 'peer-name' }, peer.name),
      h('code', { title: peer.peerId }, shortId(peer.peerId)))
  }
  setText(role!, peer.role === 'browser' ? 'tab' : peer.role)
  setText(transport!, peer.transport)
  setText(sent!, formatBytes(peer.bytesSent))
  setText(received!, formatBytes(peer.bytesReceived))
}

/** Only touch the DOM when the text changed (the panel refreshes often). */
function setText (el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text
}
