/**
 * The `cairn` command line: flags exactly as in DESIGN.md "Host and CLI",
 * plus `--json` everywhere, `--data` on clients (to find a local host
 * outside ./.cairn), `host --ice-server` (DESIGN: a host can hand tabs an
 * ICE server list), `host --name` (how tabs and hosts show it) and
 * `host --tls-cert/--tls-key` (HTTPS/WSS across machines). Usage errors
 * print one `cairn: …` line and exit 2.
 */
import { readFileSync } from 'node:fs'
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander'
import { peerName } from '@cairn/core/mesh'
import { MAX_PEER_NAME_LENGTH } from '@cairn/core/wire'
import { DEFAULT_DATA_DIR, TOKEN_ENV, parseDuration, parseInstant, parseSize } from '../config/index.js'
import { DEFAULT_LISTEN, DEFAULT_PORT } from '../host/index.js'
import { fsckCommand } from './commands/fsck.js'
import { getCommand } from './commands/get.js'
import { DEFAULT_STALL_TIMEOUT } from './stall-retry.js'
import { hostCommand } from './commands/host.js'
import { putCommand } from './commands/put.js'
import { rmCommand } from './commands/rm.js'
import { lsCommand } from './commands/ls.js'
import { ownedPath } from './owned.js'
import { lsLinkCommand } from './commands/ls-link.js'
import { statusCommand } from './commands/status.js'
import { EXIT, EXIT_CODES_HELP, describeError, exitCodeFor } from './exit-codes.js'
import { logLine } from './output.js'
import { CRYPTO_THREADS_ENV, installCliCrypto } from '../crypto/pool-provider.js'

function integer (min: number, max: number) {
  return (text: string): number => {
    if (!/^\d+$/.test(text)) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`)
    const value = Number(text)
    if (value < min || value > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`)
    return value
  }
}

/** The history of added files: under --data when given on the command line, else the state dir. */
function ownedPathOf (cmd: Command): string {
  return ownedPath(cmd.getOptionValueSource('data') === 'cli' ? cmd.getOptionValue('data') as string : undefined)
}

/** A commander argument parser from one of config's, its `UsageError` as commander's. */
function parsed<T> (parse: (text: string) => T) {
  return (text: string): T => {
    try {
      return parse(text)
    } catch (err) {
      throw new InvalidArgumentError(err instanceof Error ? err.message : String(err))
    }
  }
}

const size = parsed(parseSize)

function collect (value: string, previous: string[]): string[] {
  return [...previous, value]
}

const REPLICAS = integer(1, 16)

/** `--name`: shown to people as it is, so no control characters and at most MAX_PEER_NAME_LENGTH. */
function displayName (text: string): string {
  if (text.trim().length > MAX_PEER_NAME_LENGTH) throw new InvalidArgumentError(`expected at most ${MAX_PEER_NAME_LENGTH} characters`)
  const name = peerName(text)
  if (name === undefined) throw new InvalidArgumentError('expected a name with printable characters')
  if (name !== text.trim().replace(/\s+/g, ' ')) throw new InvalidArgumentError('expected a name without control characters')
  return name
}

/** A zone name as the wire carries it: 1..64 visible ASCII characters. */
function zone (text: string): string {
  if (!/^[\x21-\x7e]{1,64}$/.test(text)) throw new InvalidArgumentError('expected 1 to 64 visible ASCII characters (no spaces)')
  return text
}

const TOKEN_HELP = `

Join token: --token and a #join=TOKEN in --mesh (or #host=KEY in --peer) show in \`ps\` to every user of the machine.
Prefer --token-file PATH or the environment variable ${TOKEN_ENV} (\`cairn host\` keeps its token in
the data dir and local clients read it from there). For \`cairn host\` they give the host key instead:
the secret only hosts share, from which the join token members use is derived.`

function defineCommands (program: Command, setExit: (code: number) => void): void {
  program.command('host')
    .description('run a host: stores blocks, serves the web app and the mesh endpoint on one port')
    .option('--port <port>', 'TCP port (0 picks a free one)', integer(0, 65535), DEFAULT_PORT)
    .option('--data <dir>', 'data directory', DEFAULT_DATA_DIR)
    .option('--peer <address>', 'host to keep connected to: another host\'s peer URL (http://H:P/#host=KEY, which this host adopts) or ws://H:P (repeatable); a join URL is refused', collect, [])
    .option('--replicas <n>', 'replica target R', REPLICAS, 3)
    .addOption(new Option('--token <token>', 'the mesh\'s host key, shared by hosts only (saved in the data dir; join URLs carry a token derived from it); shows in ps: prefer --token-file or $CAIRN_TOKEN').conflicts(['open', 'tokenFile']))
    .addOption(new Option('--token-file <path>', 'read the host key from the first line of this file').conflicts('open'))
    .option('--weak-token', 'accept a chosen token under 16 characters or ~80 bits')
    .option('--open', 'open mesh: no join token')
    .option('--allow-origin <origin>', 'let web pages from this origin join too, e.g. https://cairn.example.org (repeatable)', collect, [])
    .option('--max-storage <size>', 'storage quota, e.g. 10GiB (also the placement weight; default: the disk size)', size)
    .option('--zone <name>', 'failure domain (room, rack, cloud zone): copies of a block go to distinct zones (default: the host is its own zone)', zone)
    .option('--max-expiry <duration>', 'longest expiry a put may ask for, e.g. 30d; puts without one are refused (default: no cap)', parsed(parseDuration))
    .option('--gc-interval <time>', 'time between garbage-collection passes (expired, deleted, surplus blocks), e.g. 10m', parsed(parseDuration))
    .option('--repair-rate <size>', 'bytes per second this host sends for repair, e.g. 16MiB (0: unlimited)', size)
    .option('--listen <address>', 'address to listen on', DEFAULT_LISTEN)
    .option('--no-store', 'keep no blocks: only introduce peers and relay signaling')
    .option('--relay [budget]', 'relay blocks this host lacks to tabs that ask, from its other peers (tabs that cannot link directly still share); BUDGET caps the bytes relayed per run, e.g. 2GiB (default: on without a budget with a store, off with --no-store)', size)
    .option('--no-relay', 'never relay blocks this host lacks (tabs then need direct links or a storing host)')
    .option('--ice-server <url>', 'STUN/TURN server for browser tabs: stun:H:P or turn:USER:PASS@H:P (repeatable)', collect, [])
    .option('--name <name>', 'name shown to tabs and hosts (default: this machine\'s hostname)', displayName)
    .option('--tls-cert <file>', 'serve https:// and wss:// with this PEM certificate (chain); reloaded on SIGHUP')
    .option('--tls-key <file>', 'the PEM private key (ECDSA or RSA) of --tls-cert')
    .addOption(new Option('--web-root <dir>', 'directory of the built web app').hideHelp())
    .option('--json', 'print one JSON line when listening')
    .action(async (opts) => setExit(await hostCommand(opts)))

  program.command('put')
    .description('add files and folders to the mesh; prints one link per argument (a folder: one link for its tree)')
    .argument('<file...>', 'files or directories to add')
    .option('--bundle', 'add all arguments as one folder (one link)')
    .option('--follow-symlinks', 'in directories, follow symbolic links (default: skip them with a warning)')
    .option('--mesh <url>', 'join URL of the mesh (default: the local host)')
    .option('--token-file <path>', 'join token for --mesh, from this file (else $CAIRN_TOKEN if the URL has none)')
    .option('--replicas <n>', 'replica target R, kept by repair for this file\'s blocks (default: the host\'s)', REPLICAS)
    .option('--expires <duration>', 'hosts stop serving the file this long from now and reclaim it: 90s, 45m, 12h, 7d', parsed(parseDuration))
    .option('--expires-at <time>', 'the same at an ISO-8601 time, e.g. 2026-12-24T18:00:00Z', parsed(parseInstant))
    .option('--data <dir>', 'data directory of the local host (and of the history of added files: DIR/owned)', DEFAULT_DATA_DIR)
    .option('--json', 'print {"link","root","size","replicas","target","resumedBytes","owner"[,"expires"]} per file (a folder adds "files","dirs")')
    .action(async (files: string[], opts, cmd: Command) => { await putCommand(files, { ...opts, owned: ownedPathOf(cmd) }) })

  program.command('rm')
    .description('remove a file or folder you added from every host (hosts offline now drop it when they are back)')
    .argument('<link>', 'the file\'s or folder\'s link')
    .option('--owner <secret>', 'its owner secret, as `put --json` printed it (default: from the history of files you added)')
    .option('--mesh <url>', 'join URL of the mesh (default: the link\'s own, else the local host)')
    .option('--token-file <path>', 'join token for --mesh, from this file (else $CAIRN_TOKEN if the URL has none)')
    .option('--data <dir>', 'data directory of the local host (and of the history: DIR/owned)', DEFAULT_DATA_DIR)
    .option('--json', 'print {"root","removed":true}')
    .action(async (link: string, opts, cmd: Command) => { await rmCommand(link, { ...opts, owned: ownedPathOf(cmd) }) })

  program.command('ls')
    .description('without a link: the files you added (from the history): size, expiry, replicas now, link; with a folder link: its entries (one level; -R: the whole tree)')
    .argument('[link]', 'a folder link, or LINK/path naming a directory in it')
    .option('-R, --recursive', 'with a folder link: list every entry of the tree')
    .option('--mesh <url>', 'join URL of the mesh (default: the link\'s own, else the local host)')
    .option('--token-file <path>', 'join token for --mesh, from this file (else $CAIRN_TOKEN if the URL has none)')
    .option('--data <dir>', 'data directory of the local host (and of the history: DIR/owned)', DEFAULT_DATA_DIR)
    .option('--json', 'print one JSON line per entry: history {"name","size","root","link","expires","replicas","target","added"}; folder {"path","kind","size","mtime","type","link"}')
    .action(async (link: string | undefined, opts, cmd: Command) => {
      if (link === undefined) await lsCommand({ ...opts, owned: ownedPathOf(cmd) })
      else await lsLinkCommand(link, opts)
    })

  program.command('get')
    .description('fetch, verify and decrypt a file')
    .argument('<link>', 'a link: <root>.<key> or http://H:P/#join=T&file=<root>.<key>; LINK/path/in/folder (or &path=) names one entry of a folder')
    .option('--mesh <url>', 'join URL of the mesh (default: the link\'s own, else the local host)')
    .option('--token-file <path>', 'join token for --mesh, from this file (else $CAIRN_TOKEN if the URL has none)')
    .option('-o, --output <path>', 'write to PATH (a directory: under the file\'s name; a folder: its tree in PATH, default ./NAME); - for stdout', '-')
    .option('--force', 'with -o DIR or a folder: replace files of the same names there (default: refuse, exit 7)')
    .option('--no-resume', 'ignore a part file left by an interrupted get of the same link to the same path')
    .option('--timeout <seconds>', 'give up (exit 5) after this long without progress while peers are silent', integer(1, 86_400), DEFAULT_STALL_TIMEOUT / 1000)
    .option('--data <dir>', 'data directory of the local host', DEFAULT_DATA_DIR)
    .option('--json', 'print {"path","name","size","root","resumedBytes"} after writing a file')
    .action(async (link: string, opts) => { await getCommand(link, { ...opts, timeout: opts.timeout * 1000 }) })

  program.command('status')
    .description('peers, blocks, bytes and replica health of a host')
    .option('--mesh <url>', 'join URL of the mesh (default: the local host)')
    .option('--token-file <path>', 'join token for --mesh, from this file (else $CAIRN_TOKEN if the URL has none)')
    .option('--data <dir>', 'data directory of the local host', DEFAULT_DATA_DIR)
    .option('--json', 'print {"peerId","peers","blocks","bytes","underReplicated","replicas","storingHosts","backgroundFailures","reclaimedBytes","relay","relayedBytes"[,"relayBudget","zone","capacity","full"]}')
    .action(async (opts) => { await statusCommand(opts) })

  program.command('fsck')
    .description('re-hash every stored block; exits 8 if any is corrupt')
    .option('--data <dir>', 'data directory', DEFAULT_DATA_DIR)
    .option('--json', 'print {"checked","corrupt":[ids]}')
    .action(async (opts) => setExit(await fsckCommand(opts)))
}

/** This package's version (dist/cli/program.js → ../../package.json). */
function packageVersion (): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown }
  return typeof pkg.version === 'string' ? pkg.version : 'unknown'
}

export function buildProgram (setExit: (code: number) => void): Command {
  const program = new Command('cairn')
    .description('Cairn: an end-to-end-encrypted, content-addressed, distributed file store')
    .version(packageVersion(), '-V, --version', 'print the version')
    .addHelpText('after', `${EXIT_CODES_HELP}${TOKEN_HELP}`)
    .exitOverride()
    .configureOutput({ outputError: (text) => logLine(`cairn: ${text.replace(/^error: /, '').trim()}`) })
  defineCommands(program, setExit)
  return program
}

/** Run the CLI on `argv` (as `process.argv`); resolves with the exit code. */
export async function run (argv: string[]): Promise<number> {
  let code: number = EXIT.OK
  const program = buildProgram(c => { code = c })
  // Bare `cairn` asked for nothing wrong: help on stdout, exit 0 (commander would print it on stderr, exit 1).
  if (argv.length <= 2) {
    program.outputHelp()
    return EXIT.OK
  }
  try {
    // Core's AES-GCM and SHA-256 on OpenSSL: on this thread, or over a worker pool
    // if $CAIRN_CRYPTO_THREADS asks (`cairn host` always runs them on its thread).
    installCliCrypto(process.env[CRYPTO_THREADS_ENV])
    await program.parseAsync(argv)
    return code
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE
    logLine(`cairn: ${describeError(err)}`)
    if (process.env.CAIRN_DEBUG !== undefined && err instanceof Error) logLine(err.stack ?? '')
    return exitCodeFor(err)
  }
}
