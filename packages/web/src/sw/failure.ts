/**
 * How the service worker answers a stream whose first read failed: an HTTP
 * status chosen by the error's code, the code in an `X-Cairn-Error` header,
 * and a one-line text body, under the same headers as every file response. (A failure after the first byte can only end the
 * stream: the status is already sent.)
 */
import type { CairnError } from '@cairn/core'
import { FILE_RESPONSE_HEADERS } from '../download/content-policy.js'

/** 503 for "not now" (no peer has it, timed out, the tab closed it), 502 for bad data, else 500. */
export function statusFor (code: string): number {
  switch (code) {
    case 'ERR_UNAVAILABLE': case 'ERR_NOT_FOUND': case 'ERR_TIMEOUT': case 'ERR_CONNECTION_CLOSED': case 'ERR_ABORTED':
    case 'ERR_RELAY_BUDGET': case 'ERR_RELAY_BUSY':
      return 503
    case 'ERR_INTEGRITY': case 'ERR_DECRYPT': case 'ERR_MANIFEST':
      return 502
    case 'ERR_OUT_OF_RANGE':
      return 416
    default:
      return 500
  }
}

export function failureResponse (err: CairnError): Response {
  return new Response(`${err.message} (${err.code})`, {
    status: statusFor(err.code),
    headers: { ...FILE_RESPONSE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'X-Cairn-Error': err.code }
  })
}
