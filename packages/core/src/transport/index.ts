export type * from './connection.js'
