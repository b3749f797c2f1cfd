export * from './id.js'
