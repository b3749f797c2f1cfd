/**
 * Entry point: join the mesh named by the URL fragment (`#join=TOKEN`), start
 * streaming through the service worker, show the app, and open `#file=…`
 * links, now and whenever the fragment changes.
 *
 * Once read, the token leaves the address bar and the tab's history: the
 * fragment becomes `#file=…` alone (so a reload reopens the file), and the
 * token stays in this tab's sessionStorage (so a reload joins again). Share
 * links shown in the UI still carry it.
 */
import './ui/styles.css'
import { startStreaming } from './download/register.js'
import { Library } from './files/library.js'
import { formatFragment, parseFragment } from './mesh/fragment.js'
import { Tab } from './mesh/tab.js'
import { mountApp, showFatal } from './ui/app.js'
import { describeError } from './ui/errors.js'
import { savedStorageLimit } from './ui/storage-panel.js'

const TOKEN_KEY = 'cairn-join-token'

/** Replace this history entry's URL with one whose fragment keeps only `#file=…`. */
function forgetToken (): void {
  if (!location.hash.includes('join=')) return
  const { file } = parseFragment(location.hash)
  const hash = formatFragment(file === undefined ? { join: '' } : { join: '', file })
  history.replaceState(history.state, '', `${location.pathname}${location.search}${hash}`)
}

async function main (root: HTMLElement): Promise<void> {
  const fragment = parseFragment(location.hash)
  // A fragment without `join=` (e.g. `#file=…` alone) keeps this tab's mesh.
  const joinToken = location.hash.includes('join=') ? fragment.join : sessionStorage.getItem(TOKEN_KEY) ?? ''
  sessionStorage.setItem(TOKEN_KEY, joinToken)
  forgetToken()
  const [streams, tab, library] = await Promise.all([
    startStreaming(),
    Tab.start({ location, joinToken, maxStorage: savedStorageLimit() }),
    (async () => { const l = new Library(); await l.load(); return l })()
  ])
  const opener = mountApp(root, { tab, library, streams, joinToken, origin: location.origin })
  let opened = fragment.file
  if (opened !== undefined) void opener.open(opened)
  window.addEventListener('hashchange', () => {
    const file = parseFragment(location.hash).file
    forgetToken()
    if (file !== undefined && file !== opened) {
      opened = file
      void opener.open(file)
    }
  })
  document.body.dataset['ready'] = 'true'
}

const root = document.querySelector<HTMLElement>('#app')!
main(root).catch((err: unknown) => {
  const { summary, detail } = describeError(err)
  showFatal(root, summary === 'Something went wrong.' ? 'This browser could not start Cairn (IndexedDB, Web Crypto Ed25519 and WebRTC are required).' : summary, detail)
})
