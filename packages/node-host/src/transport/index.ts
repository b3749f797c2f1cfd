export * from './websocket.js'
