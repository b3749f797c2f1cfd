import { webCryptoProvider } from '../../src/crypto/provider.js'
import { describeVectors } from './vectors-suite.js'

// Every Wycheproof vector through Web Crypto, core's default provider
// (node-host runs the same suite on node:crypto: src/crypto/node-provider.test.ts).
describeVectors(webCryptoProvider)
