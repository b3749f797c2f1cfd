/** The part of `@thaunknown/simple-peer` (data-only `lite` build) Cairn uses. */
declare module '@thaunknown/simple-peer/lite.js' {
  export interface SimplePeerSignal {
    type?: string
    sdp?: string
    candidate?: unknown
    renegotiate?: boolean
    transceiverRequest?: unknown
  }

  export interface SimplePeerInit {
    initiator?: boolean
    config?: RTCConfiguration
    channelConfig?: RTCDataChannelInit
    trickle?: boolean
    objectMode?: boolean
  }

  export default class Peer {
    constructor (init?: SimplePeerInit)
    readonly connected: boolean
    readonly destroyed: boolean
    /** The underlying data channel (set once negotiated). */
    _channel: RTCDataChannel | null
    /** The underlying peer connection. */
    _pc: RTCPeerConnection | null
    signal (data: SimplePeerSignal): void
    send (chunk: ArrayBufferView | ArrayBuffer): void
    destroy (err?: Error): void
    on (event: 'signal', listener: (data: SimplePeerSignal) => void): this
    on (event: 'data', listener: (data: Uint8Array) => void): this
    on (event: 'connect' | 'close', listener: () => void): this
    on (event: 'error', listener: (err: Error & { code?: string }) => void): this
    once (event: 'connect' | 'close', listener: () => void): this
    once (event: 'error', listener: (err: Error & { code?: string }) => void): this
    removeListener (event: string, listener: (...args: never[]) => void): this
  }
}
