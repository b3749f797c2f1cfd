/**
 * `GET /info`: what a page may learn before it joins, without a token. Only
 * whether joining this mesh needs a join link: the bare host URL of a host
 * with a token can then ask for one instead of failing the handshake, while
 * an `--open` host's bare URL just works. Nothing secret, no peer data.
 */
import type { RequestHandler } from './static.js'
import { sendText } from './static.js'

export const INFO_PATH = '/info'

export interface HostInfo {
  /** False on an `--open` mesh: the bare host URL joins as it is. */
  joinTokenRequired: boolean
}

/** The `/info` body: `{"app":"cairn","joinTokenRequired":…}`. */
export function infoBody (info: HostInfo): string {
  return `${JSON.stringify({ app: 'cairn', joinTokenRequired: info.joinTokenRequired })}\n`
}

/** Answers GET/HEAD `/info`; hands every other request to `next`. */
export function infoHandler (info: HostInfo, next: RequestHandler): RequestHandler {
  const body = infoBody(info)
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://host').pathname
    if (path !== INFO_PATH || (req.method !== 'GET' && req.method !== 'HEAD')) return next(req, res)
    sendText(res, 200, body, 'application/json; charset=utf-8')
  }
}
