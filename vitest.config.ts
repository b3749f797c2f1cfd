import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const core = (path: string): string => fileURLToPath(new URL(`./packages/core/src/${path}`, import.meta.url))

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@cairn\/core\/wire$/, replacement: core('wire/index.ts') },
      { find: /^@cairn\/core\/mesh$/, replacement: core('mesh/index.ts') },
      { find: /^@cairn\/core\/crypto$/, replacement: core('crypto/index.ts') },
      { find: /^@cairn\/core\/testing$/, replacement: core('testing/index.ts') },
      { find: /^@cairn\/core$/, replacement: core('index.ts') }
    ]
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'bench/**/*.test.mjs'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks'
  }
})
