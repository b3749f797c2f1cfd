export { run, buildProgram } from './program.js'
export { EXIT, exitCodeFor, describeError } from './exit-codes.js'
