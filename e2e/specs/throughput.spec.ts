/**
 * Issue 17: tab → host and host → tab rates in Chromium, to set beside the
 * Firefox and WebKit figures their specs print (measured the same way, by
 * `throughputWithCli`; printed, not asserted: the machine is shared).
 */
import { MiB } from '../support/app.js'
import { chromiumTab } from '../support/chromium-tab.js'
import { throughputWithCli } from '../support/engine-scenarios.js'
import { test } from '../support/fixtures.js'

test('chromium: tab → host and host → tab with the CLI, byte-identical; throughput printed', async ({ startHost, openTab, cli, tmp }) => {
  await throughputWithCli({ startHost, cli, tmp, openTab: async url => chromiumTab(await openTab(url)) }, 16 * MiB)
})
