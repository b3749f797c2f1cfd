import { fileURLToPath } from 'node:url'

/** `packages/web/dist`, resolved relative to this package (works from `src` and `dist`). */
export function defaultWebRoot (): string {
  return fileURLToPath(new URL('../../../web/dist', import.meta.url))
}
