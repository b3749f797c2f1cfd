/**
 * Builds packages/web: the app (index.html → src/main.ts) and the service worker
 * (src/sw.ts → /sw.js, a stable path so its scope is the whole origin).
 *
 * `vite build --mode test` also builds the pages the e2e harness drives
 * (packages/web/test-pages) into packages/web/dist-test, never into dist.
 * Only that test build has source maps; the production build ships none (and
 * the host refuses to serve `*.map` anyway).
 *
 * `@cairn/core` is bundled from source. `@thaunknown/simple-peer` resolves its
 * WebRTC through `webrtc-polyfill`, whose `browser` export is the native API, so
 * its Node chain (node-datachannel) never reaches the bundle; the build fails if
 * it does (see `forbidNodeOnly`).
 */
import { fileURLToPath } from 'node:url'
import { defineConfig, type Plugin } from 'vite'

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url))
const web = (path: string): string => here(`./packages/web/${path}`)

/** Fail the build if a Node-only module is pulled into the browser bundle. */
function forbidNodeOnly (): Plugin {
  const banned = /(^|[\\/])(node-datachannel|@node-datachannel|ws|bufferutil)([\\/]|$)|^node:/
  return {
    name: 'cairn:forbid-node-only',
    enforce: 'pre',
    resolveId (source, importer) {
      if (banned.test(source) && importer !== undefined && !importer.includes('node_modules/vite')) {
        this.error(`Node-only module "${source}" imported by ${importer}`)
      }
      return null
    }
  }
}

export default defineConfig(({ mode }) => {
  const test = mode === 'test'
  return {
    root: web(''),
    base: '/',
    publicDir: false,
    resolve: {
      alias: [
        { find: /^@cairn\/core\/wire$/, replacement: here('./packages/core/src/wire/index.ts') },
        { find: /^@cairn\/core\/mesh$/, replacement: here('./packages/core/src/mesh/index.ts') },
        { find: /^@cairn\/core\/crypto$/, replacement: here('./packages/core/src/crypto/index.ts') },
        { find: /^@cairn\/core\/testing$/, replacement: here('./packages/core/src/testing/index.ts') },
        { find: /^@cairn\/core$/, replacement: here('./packages/core/src/index.ts') }
      ],
      conditions: ['browser', 'module', 'import', 'default']
    },
    plugins: [forbidNodeOnly()],
    build: {
      outDir: web(test ? 'dist-test' : 'dist'),
      emptyOutDir: true,
      target: 'es2022',
      sourcemap: test,
      reportCompressedSize: false,
      chunkSizeWarningLimit: 1024,
      rollupOptions: {
        input: {
          index: web('index.html'),
          sw: web('src/sw.ts'),
          ...(test
            ? {
                compliance: web('test-pages/compliance.html'),
                rtc: web('test-pages/rtc.html'),
                mesh: web('test-pages/mesh.html'),
                handshake: web('test-pages/handshake.html')
              }
            : {})
        },
        output: {
          entryFileNames: (chunk) => chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js'
        }
      }
    }
  }
})
