import type { PageStreamServer } from '../download/page-server.js'
import type { Library } from '../files/library.js'
import type { Tab } from '../mesh/tab.js'

/** What every panel works with. */
export interface AppContext {
  tab: Tab
  library: Library
  /** Absent when the browser offers no service worker (streaming is then unavailable). */
  streams: PageStreamServer | undefined
  joinToken: string
  origin: string
}
