#!/usr/bin/env -S node --initial-old-space-size=64
// The `cairn` command. A committed file (not dist/) so npm links it on a fresh
// install, before the first build; the CLI itself runs on import of dist/cli/main.js.
// The shebang's flags are NODE_FLAGS (src/cli/node-flags.ts; a test keeps them equal).
try {
  await import('../dist/cli/main.js')
} catch (err) {
  if (err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.url ?? err.message).includes('dist/cli/main.js')) {
    console.error('cairn: not built yet; run `npm run build` in the repository first')
    process.exit(1)
  }
  throw err
}
