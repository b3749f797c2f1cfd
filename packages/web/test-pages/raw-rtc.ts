/**
 * A bare `RTCPeerConnection` + `RTCDataChannel`, no library, no framing: the
 * baseline Cairn's WebRTC transport is measured against. Non-trickle offer and
 * answer (ICE gathering over loopback is immediate), host candidates only.
 */
export interface RawChannel {
  open: Promise<RTCDataChannel>
  signal: (data: string) => void
}

/** Buffer this much in the channel before waiting (as a well-tuned raw sender would). */
const RAW_HIGH_WATER = 4 * 1024 * 1024
const RAW_LOW_WATER = 1024 * 1024

export function rawChannel (initiator: boolean, send: (data: string) => void): RawChannel {
  const pc = new RTCPeerConnection({ iceServers: [] })
  const gathered = (): Promise<void> => new Promise(resolve => {
    if (pc.iceGatheringState === 'complete') resolve()
    else pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') resolve() })
  })
  const open = new Promise<RTCDataChannel>((resolve, reject) => {
    const ready = (channel: RTCDataChannel): void => {
      channel.binaryType = 'arraybuffer'
      channel.bufferedAmountLowThreshold = RAW_LOW_WATER
      if (channel.readyState === 'open') resolve(channel)
      else channel.addEventListener('open', () => { resolve(channel) })
      channel.addEventListener('error', () => { reject(new Error('raw channel error')) })
    }
    if (initiator) ready(pc.createDataChannel('raw', { ordered: true }))
    else pc.addEventListener('datachannel', e => { ready(e.channel) })
  })
  if (initiator) {
    void (async () => {
      await pc.setLocalDescription(await pc.createOffer())
      await gathered()
      send(JSON.stringify(pc.localDescription))
    })()
  }
  const signal = (data: string): void => {
    void (async () => {
      const desc = JSON.parse(data) as RTCSessionDescriptionInit
      await pc.setRemoteDescription(desc)
      if (desc.type === 'offer') {
        await pc.setLocalDescription(await pc.createAnswer())
        await gathered()
        send(JSON.stringify(pc.localDescription))
      }
    })()
  }
  return { open, signal }
}

export async function rawSend (channel: RTCDataChannel, total: number, frame: number): Promise<{ ms: number }> {
  const start = performance.now()
  const chunk = new Uint8Array(frame).fill(7)
  for (let sent = 0; sent < total; sent += frame) {
    channel.send(sent + frame <= total ? chunk : chunk.subarray(0, total - sent))
    if (channel.bufferedAmount > RAW_HIGH_WATER) {
      await new Promise(resolve => { channel.addEventListener('bufferedamountlow', resolve, { once: true }) })
    }
  }
  return { ms: performance.now() - start }
}

export async function rawReceive (channel: RTCDataChannel, total: number): Promise<{ ms: number, bytes: number }> {
  const start = performance.now()
  let bytes = 0
  await new Promise<void>(resolve => {
    const onMessage = (e: MessageEvent): void => {
      bytes += (e.data as ArrayBuffer).byteLength
      if (bytes >= total) {
        channel.removeEventListener('message', onMessage)
        resolve()
      }
    }
    channel.addEventListener('message', onMessage)
  })
  return { ms: performance.now() - start, bytes }
}
