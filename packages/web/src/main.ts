/**
 * Entry point: on a page that is not a secure context, explain that Cairn
 * needs HTTPS (or localhost). Otherwise join the mesh named by the URL
 * fragment (`#join=TOKEN`), start
 * streaming through the service worker, show the app, and open `#file=…`
 * links, now and whenever the fragment changes.
 *
 * Once read, the token leaves the address bar and the tab's history: the
 * fragment becomes `#file=…` alone (so a reload reopens the file), and the
 * token stays in this tab's sessionStorage (so a reload joins again). Share
 * links shown in the UI still carry it.
 *
 * Without a join link on a host that needs one (it says so at `/info`), or
 * when the host refuses the link, the page asks for one instead of retrying.
 */
import './ui/styles.css'
import { formatFragment, HandshakeError, LinkError, parseFragment, type Fragment } from '@cairn/core'
import { startStreaming } from './download/register.js'
import { Library } from './files/library.js'
import { browserName } from './mesh/browser-name.js'
import { fetchHostInfo } from './mesh/host-info.js'
import { Tab } from './mesh/tab.js'
import { mountApp, showFatal } from './ui/app.js'
import { describeError } from './ui/errors.js'
import { showInsecureContext } from './ui/insecure-context.js'
import { showJoinNeeded } from './ui/join-panel.js'
import { StartupWatch } from './ui/startup-watch.js'
import { savedStorageLimit } from './ui/storage-panel.js'

const TOKEN_KEY = 'cairn-join-token'

/**
 * Replace this history entry's URL with one whose fragment keeps only
 * `#file=…` (or nothing, if the fragment does not parse, or is a peer URL's
 * `#host=…`).
 */
function forgetToken (): void {
  if (!location.hash.includes('join=') && !isPeerUrlFragment(location.hash)) return
  let hash = ''
  try {
    const { file, path } = parseFragment(location.hash)
    hash = formatFragment(file === undefined ? {} : path === undefined ? { file } : { file, path })
  } catch (err) {
    if (!(err instanceof LinkError)) throw err
  }
  history.replaceState(history.state, '', `${location.pathname}${location.search}${hash}`)
}

/** A peer URL's fragment (`#host=…`), which carries the mesh's host key. */
function isPeerUrlFragment (hash: string): boolean {
  return hash.startsWith('#host=')
}

/**
 * The page's fragment. One that does not parse keeps this tab's mesh, and is
 * opened as a link so that the open panel says what is wrong with it.
 */
function readFragment (hash: string): Fragment {
  // A host's peer URL (`#host=KEY`) opened in a browser: it is for other hosts; the tab takes nothing from it.
  if (isPeerUrlFragment(hash)) return {}
  try {
    return parseFragment(hash)
  } catch (err) {
    if (err instanceof LinkError) return { file: hash }
    throw err
  }
}

/**
 * The token to join with: the URL's, else this tab's earlier one, else none
 * ('') if the host says its mesh is open. Undefined: a join link is needed.
 */
async function joinTokenFor (fragment: Fragment): Promise<string | undefined> {
  // A fragment without `join=` (e.g. `#file=…` alone) keeps this tab's mesh.
  const known = fragment.join ?? sessionStorage.getItem(TOKEN_KEY)
  if (known !== null) return known
  // No answer (an older host): try the open mesh; a refusal then asks for a link.
  return (await fetchHostInfo())?.joinTokenRequired === true ? undefined : ''
}

/** The link a fragment opens: `file`, and with `path=` the entry it names inside that folder (`<root>.<key>/a/b`). */
function linkOf (fragment: Fragment): string | undefined {
  if (fragment.file === undefined || fragment.path === undefined) return fragment.file
  return `${fragment.file}/${fragment.path}`
}

function isRefusal (err: unknown): boolean {
  return err instanceof HandshakeError && err.reason === 'bad-token'
}

async function main (root: HTMLElement, watch: StartupWatch): Promise<void> {
  const fragment = readFragment(location.hash)
  if (isPeerUrlFragment(location.hash)) forgetToken()
  const joinToken = await watch.step('the host\'s /info', joinTokenFor(fragment))
  if (joinToken === undefined) {
    showJoinNeeded(root, 'missing', location)
    return
  }
  sessionStorage.setItem(TOKEN_KEY, joinToken)
  forgetToken()
  const [streams, tab, library] = await Promise.all([
    watch.step('the service worker', startStreaming()),
    Tab.start({ location, joinToken, name: browserName(), maxStorage: savedStorageLimit(), step: watch.step.bind(watch) }),
    watch.step('the file list (IndexedDB)', (async () => { const l = new Library(); await l.load(); return l })())
  ])
  // A host that refuses this token will refuse it again: ask for a join link instead of retrying.
  const refused = (err: unknown): void => {
    tab.removeEventListener('error', onError)
    sessionStorage.removeItem(TOKEN_KEY)
    // Once stopped, the tab dials no more (tests wait for this mark, not for time to pass).
    tab.stop().then(() => { document.body.dataset['tab'] = 'stopped' }, (stopErr: unknown) => { console.error('stopping the refused tab failed', stopErr) })
    showJoinNeeded(root, joinToken === '' ? 'missing' : 'refused', location, err)
  }
  const onError = (event: Event): void => {
    const err = (event as CustomEvent<unknown>).detail
    if (isRefusal(err)) refused(err)
  }
  if (tab.state !== 'connected' && isRefusal(tab.lastError)) return refused(tab.lastError)
  tab.addEventListener('error', onError)
  const opener = mountApp(root, { tab, library, streams, joinToken, origin: location.origin })
  let opened = linkOf(fragment)
  if (opened !== undefined) void opener.open(opened)
  window.addEventListener('hashchange', () => {
    const file = linkOf(readFragment(location.hash))
    forgetToken()
    if (file !== undefined && file !== opened) {
      opened = file
      void opener.open(file)
    }
  })
  document.body.dataset['ready'] = 'true'
}

const root = document.querySelector<HTMLElement>('#app')!
// Plain http from another machine: no Web Crypto, no service worker. Say why and how to fix it.
if (!window.isSecureContext) showInsecureContext(root, location)
else {
  const watch = new StartupWatch(root)
  main(root, watch).catch((err: unknown) => {
    const { summary, detail } = describeError(err)
    showFatal(root, summary === 'Something went wrong.' ? 'This browser could not start Cairn (IndexedDB and Web Crypto Ed25519 are required).' : summary, detail)
  }).finally(() => { watch.done() })
}
