/**
 * TLS for hosts (`--tls-cert FILE --tls-key FILE`): loading and checking the
 * PEM files, the `https://` origins a certificate makes good, and when plain
 * `ws://`/`http://` is still safe (loopback only).
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { isIP } from 'node:net'
import { createSecureContext } from 'node:tls'
import { LocalFileError, UsageError } from './errors.js'

/** Paths of the PEM files given on the command line. */
export interface TlsFiles {
  /** Certificate, then any intermediates (a full chain). */
  cert: string
  key: string
}

/** What a host serves with: the PEM bytes and the parsed leaf certificate. */
export interface TlsMaterial {
  cert: Buffer
  key: Buffer
  certificate: X509Certificate
}

/** Key types browsers and Node both accept for TLS server certificates. */
const KEY_TYPES = new Set(['ec', 'rsa'])

/** True for `localhost` and loopback IP addresses (127.0.0.0/8, ::1, IPv4-mapped 127/8), brackets allowed. */
export function isLoopbackHost (host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '').toLowerCase()
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true
  if (isIP(bare) === 4) return bare.startsWith('127.')
  if (isIP(bare) !== 6) return false
  // Through the URL parser: `::ffff:127.0.0.1` becomes `::ffff:7f00:1`, `0:…:0:1` becomes `::1`.
  const canonical = new URL(`http://[${bare}]`).hostname.slice(1, -1)
  return canonical === '::1' || /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(canonical)
}

async function readPem (path: string, flag: string): Promise<Buffer> {
  try {
    return await readFile(path)
  } catch (cause) {
    throw new LocalFileError(`${flag} ${path}: cannot read it (${(cause as NodeJS.ErrnoException).code ?? 'error'})`, { cause })
  }
}

function parseKey (pem: Buffer, path: string): KeyObject {
  let key: KeyObject
  try {
    key = createPrivateKey(pem)
  } catch (cause) {
    const encrypted = /passphrase|encrypted/i.test(String((cause as Error).message))
    throw new UsageError(encrypted
      ? `--tls-key ${path}: the key is encrypted; decrypt it first (openssl pkey -in KEY -out PLAIN)`
      : `--tls-key ${path}: not a PEM private key`, { cause })
  }
  if (!KEY_TYPES.has(key.asymmetricKeyType ?? '')) {
    throw new UsageError(`--tls-key ${path}: a key of type ${key.asymmetricKeyType ?? 'unknown'}; use an ECDSA or RSA key`)
  }
  return key
}

/** Read and check `--tls-cert`/`--tls-key`: PEM, ECDSA or RSA, a key that matches the certificate. */
export async function loadTls (files: TlsFiles): Promise<TlsMaterial> {
  const [cert, key] = await Promise.all([readPem(files.cert, '--tls-cert'), readPem(files.key, '--tls-key')])
  let certificate: X509Certificate
  try {
    certificate = new X509Certificate(cert)
  } catch (cause) {
    throw new UsageError(`--tls-cert ${files.cert}: not a PEM certificate`, { cause })
  }
  if (!certificate.checkPrivateKey(parseKey(key, files.key))) {
    throw new UsageError(`--tls-key ${files.key} does not belong to the certificate in --tls-cert ${files.cert}`)
  }
  try {
    createSecureContext({ cert, key })
  } catch (cause) {
    throw new UsageError(`--tls-cert ${files.cert}: ${(cause as Error).message}`, { cause })
  }
  return { cert, key, certificate }
}

/** DNS names and IP addresses the certificate is good for (subjectAltName). */
export function certificateNames (certificate: X509Certificate): { dns: string[], ips: string[] } {
  const dns: string[] = []
  const ips: string[] = []
  for (const entry of (certificate.subjectAltName ?? '').split(/,\s*/)) {
    if (entry.startsWith('DNS:')) dns.push(entry.slice(4))
    else if (entry.startsWith('IP Address:')) ips.push(entry.slice(11))
  }
  return { dns, ips }
}

/** One line for the log: the names it covers and until when. */
export function describeCertificate (certificate: X509Certificate): string {
  const { dns, ips } = certificateNames(certificate)
  const names = [...dns, ...ips]
  return `certificate for ${names.length > 0 ? names.join(', ') : certificate.subject.replace(/\n/g, ', ')}, valid until ${new Date(certificate.validTo).toISOString().slice(0, 10)}`
}

/** Problems a client would refuse the certificate for, known before anyone dials. */
export function certificateWarnings (certificate: X509Certificate, now = Date.now()): string[] {
  const warnings: string[] = []
  if (Date.parse(certificate.validTo) <= now) warnings.push(`the TLS certificate expired on ${certificate.validTo}`)
  if (Date.parse(certificate.validFrom) > now) warnings.push(`the TLS certificate is not valid before ${certificate.validFrom}`)
  return warnings
}

function covers (certificate: X509Certificate, origin: string): boolean {
  const host = new URL(origin).hostname.replace(/^\[(.*)\]$/, '$1')
  return isIP(host) === 0 ? certificate.checkHost(host) !== undefined : certificate.checkIP(host) !== undefined
}

function toHttps (origin: string): string {
  return origin.replace(/^http:/, 'https:')
}

export interface HttpsOrigins {
  /** The host's own `https://` origin (for this machine and local clients). */
  origin: string
  /** Origins to advertise, most widely reachable first: the certificate's DNS names, then addresses it covers. */
  origins: string[]
  /** Said on start when the certificate names none of the addresses listened on. */
  warning?: string
}

/**
 * The `https://` origins for a host that would otherwise be reachable on
 * `plain` (its `http://` origins, `own` first among them): only those the
 * certificate is good for, since a client checks the name it dials. A host
 * reachable beyond loopback also advertises the certificate's DNS names
 * (wildcards aside).
 */
export function httpsOrigins (certificate: X509Certificate, own: string, plain: string[]): HttpsOrigins {
  const port = new URL(own).port
  const ownHttps = toHttps(own)
  // On loopback, a certificate for `localhost` serves as well as one for 127.0.0.1.
  const local = isLoopbackHost(new URL(own).hostname) ? [`https://localhost:${port}`] : []
  const beyondLoopback = plain.some(origin => !isLoopbackHost(new URL(origin).hostname))
  const named = beyondLoopback
    ? certificateNames(certificate).dns.filter(name => !name.includes('*') && !isLoopbackHost(name)).map(name => `https://${name}:${port}`)
    : []
  const covered = [...plain.map(toHttps), ...local].filter(origin => covers(certificate, origin))
  const origins = [...new Set([...named, ...covered])]
  if (origins.length === 0) {
    const { dns, ips } = certificateNames(certificate)
    return {
      origin: ownHttps,
      origins: plain.map(toHttps),
      warning: `the TLS certificate names ${[...dns, ...ips].join(', ') || 'no host'}, not the address this host listens on: clients will refuse it`
    }
  }
  return { origin: [ownHttps, ...local].find(origin => covers(certificate, origin)) ?? origins[0]!, origins }
}

/**
 * The warning a host without TLS gives when it listens beyond loopback, or
 * undefined when it listens on loopback only.
 */
export function plainListenWarning (listen: string): string | undefined {
  if (isLoopbackHost(listen)) return undefined
  return `listening on ${listen} without TLS: browsers on other machines cannot use this host (plain http is not a secure context), ` +
    'and mesh traffic between machines is unauthenticated after the handshake; run with --tls-cert FILE --tls-key FILE'
}
