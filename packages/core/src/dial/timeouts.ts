/**
 * Time bounds on reaching a peer. A dial is the transport's connect (TCP and
 * the WebSocket upgrade, bounded by the transport) followed by the mesh
 * handshake (`DEFAULT_HANDSHAKE_TIMEOUT`); `DEFAULT_DIAL_TIMEOUT` bounds both
 * together, for every caller that dials: the host's `--peer` dialer, the CLI
 * client and a tab's host connection.
 */

/** Bound on one dial, connect and handshake together, in ms. */
export const DEFAULT_DIAL_TIMEOUT = 15_000

/** Bound on a transport's connect alone (TCP, WebSocket upgrade), in ms: part of a dial. */
export const DEFAULT_CONNECT_TIMEOUT = 10_000
