/**
 * Connection state and peers: each connected host and tab with its role,
 * transport and bytes moved. Refreshed once a second and on every change.
 */
import type { PeerStatus } from '@cairn/core'
import type { AppContext } from './context.js'
import { h, replace } from './dom.js'
import { describeError } from './errors.js'
import { formatBytes, shortId } from './format.js'

const REFRESH_MS = 1_000

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
  const table = h('table', { class: 'peers' },
    h('caption', { class: 'visually-hidden' }, 'Connected peers'),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Peer'), h('th', { scope: 'col' }, 'Role'), h('th', { scope: 'col' }, 'Transport'),
      h('th', { scope: 'col', class: 'num' }, 'Sent'), h('th', { scope: 'col', class: 'num' }, 'Received'))),
    body)
  const empty = h('p', { class: 'muted' }, 'No peers yet.')
  const ice = h('p', { class: 'muted', 'data-testid': 'ice-servers' })
  const problem = h('p', { class: 'error', role: 'alert', 'data-testid': 'connection-error', hidden: true })
  tab.addEventListener('error', event => {
    const { summary, detail } = describeError((event as CustomEvent<unknown>).detail)
    problem.textContent = detail === '' ? summary : `${summary} (${detail})`
    problem.hidden = false
  })

  const render = (): void => {
    state.textContent = STATE_TEXT[tab.state]
    if (tab.state === 'connected') problem.hidden = true
    state.dataset['state'] = tab.state
    const peers = tab.mesh.peers()
    count.textContent = String(peers.length)
    replace(body, ...peers.map(row))
    table.hidden = peers.length === 0
    empty.hidden = peers.length > 0
    const servers = tab.mesh.iceServers()
    ice.dataset['count'] = String(servers.length)
    ice.textContent = servers.length === 0
      ? 'Tab-to-tab links: local network only (the host names no STUN/TURN server).'
      : `Tab-to-tab links: ${servers.length} STUN/TURN server${servers.length === 1 ? '' : 's'} from the host (${servers.flatMap(s => s.urls).join(', ')}).`
  }
  tab.addEventListener('state', render)
  tab.mesh.addEventListener('peer:connect', render)
  tab.mesh.addEventListener('peer:disconnect', render)
  tab.mesh.addEventListener('ice', render)
  setInterval(render, REFRESH_MS)
  render()

  return h('section', { class: 'panel', 'aria-labelledby': 'peers-title' },
    h('h2', { id: 'peers-title' }, 'Mesh'),
    state,
    problem,
    h('p', {}, 'This tab: ', h('code', { title: tab.peerId, 'data-testid': 'self-id' }, shortId(tab.peerId)),
      ' · peers: ', count),
    table, empty, ice)
}

function row (peer: PeerStatus): HTMLTableRowElement {
  return h('tr', {
    'data-testid': 'peer-row',
    'data-peer-id': peer.peerId,
    'data-role': peer.role,
    'data-transport': peer.transport,
    'data-bytes-sent': peer.bytesSent,
    'data-bytes-received': peer.bytesReceived
  },
  h('td', {}, h('code', { title: peer.peerId }, shortId(peer.peerId))),
  h('td', {}, peer.role === 'browser' ? 'tab' : peer.role),
  h('td', {}, peer.transport),
  h('td', { class: 'num' }, formatBytes(peer.bytesSent)),
  h('td', { class: 'num' }, formatBytes(peer.bytesReceived)))
}
