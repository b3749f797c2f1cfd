export { nodeCryptoProvider, installNodeCrypto } from './node-provider.js'
export { createCryptoPool, installCliCrypto, CRYPTO_THREADS_ENV, type CryptoPool, type CryptoPoolInit } from './pool-provider.js'
