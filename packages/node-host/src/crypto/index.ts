export { nodeCryptoProvider, installNodeCrypto } from './node-provider.js'
