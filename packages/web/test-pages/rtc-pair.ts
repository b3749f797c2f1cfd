/** Two `WebRtcConnection`s in one page, linked over loopback with signals passed in memory. */
import type { Connection } from '@cairn/core'
import { WebRtcLink } from '../src/transport/webrtc.js'

export async function rtcPair (): Promise<[Connection, Connection]> {
  let a: WebRtcLink | undefined
  let b: WebRtcLink | undefined
  const toB: Uint8Array[] = []
  const toA: Uint8Array[] = []
  a = new WebRtcLink({
    initiator: true,
    remoteAddress: 'webrtc://b',
    sendSignal: data => { if (b === undefined) toB.push(data); else b.signal(data) }
  })
  b = new WebRtcLink({
    initiator: false,
    remoteAddress: 'webrtc://a',
    sendSignal: data => { if (a === undefined) toA.push(data); else a.signal(data) }
  })
  for (const data of toB.splice(0)) b.signal(data)
  for (const data of toA.splice(0)) a.signal(data)
  return Promise.all([a.connection, b.connection])
}
