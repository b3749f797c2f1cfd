#!/usr/bin/env node
/**
 * The `cairn` executable. It runs the CLI (`entry.ts`) from its one-file
 * bundle, dist/cli/cairn.mjs (made by `npm run build`: scripts/bundle-cli.mjs),
 * when that bundle is current, else from the modules tsc emitted. One file
 * instead of ~270 modules to resolve and load halves the start-up every
 * command pays (~0.30 → ~0.12 CPU-s, docs/design.md).
 *
 * Current: every module the bundle was made from still has the size and
 * mtime recorded beside it (cairn.inputs.json, `bundle-check.ts`), so a
 * `tsc -b` or `npm ci` after the bundle was made never runs stale code.
 */
import { bundleIsCurrent } from './bundle-check.js'

const BUNDLE = new URL('./cairn.mjs', import.meta.url)
await import(bundleIsCurrent(new URL('./cairn.inputs.json', import.meta.url)) ? BUNDLE.href : './entry.js')
