/**
 * V8 flags the `cairn` command runs with: `bin/cairn.js` carries them in its
 * shebang (`#!/usr/bin/env -S node …`), and whatever starts the CLI as
 * `node dist/cli/main.js` (scripts/start.mjs, the bench, the test harness)
 * passes them the same way. Node accepts neither in `NODE_OPTIONS` nor at run
 * time (`v8.setFlagsFromString` comes after the heap is configured).
 *
 * `--initial-old-space-size=64`: V8 counts the ArrayBuffers allocated since
 * the last mark-compact (a 1 MiB block per message, 16 KiB per decrypted
 * chunk) against an old-generation limit that it shrinks towards the ~10 MB
 * live heap, so a transfer ran a full mark-compact every few MiB. With a
 * 64 MiB floor a `cairn get` client did ~6 instead of ~28 per 256 MiB and
 * the serving host used about half the CPU per GiB, for ~25 MiB more RSS
 * (docs/design.md, "Performance").
 */
export const NODE_FLAGS: readonly string[] = ['--initial-old-space-size=64']
