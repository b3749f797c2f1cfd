// Certificates made at test time with the `openssl` command (Debian's
// `openssl` package; .ci/run installs it): a private CA and leaves it signs,
// or a self-signed certificate. Shared by the node-host tests, the e2e specs
// and the bench, so it is plain JavaScript (test-certs.d.mts types it).
import { execFileSync } from 'node:child_process'
import { createHash, X509Certificate } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const DAYS = '2'

function openssl (args, cwd) {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] })
  } catch (err) {
    if (err.code === 'ENOENT') throw new Error('`openssl` not found: apt-get install -y openssl')
    throw new Error(`openssl ${args[0]} failed: ${err.stderr?.toString() ?? err.message}`)
  }
}

function newKeyArgs (keyType) {
  return keyType === 'rsa' ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']
}

function subjectAltName (names) {
  return names.map(n => (/^[\d.]+$/.test(n) || n.includes(':') ? `IP:${n}` : `DNS:${n}`)).join(',')
}

function files (dir, name) {
  return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) }
}

/** A self-signed certificate (no CA) for `names` (DNS names or IP addresses). */
export function selfSignedCert (dir, { name = 'self', names = ['localhost', '127.0.0.1'], keyType = 'ec' } = {}) {
  const out = files(dir, name)
  openssl(['req', '-x509', ...newKeyArgs(keyType), '-nodes', '-keyout', out.key, '-out', out.cert, '-days', DAYS,
    '-subj', `/CN=${names[0]}`, '-addext', `subjectAltName=${subjectAltName(names)}`,
    '-addext', 'basicConstraints=critical,CA:FALSE'], dir)
  return out
}

/** A private CA (certificate and key). */
export function testCa (dir, { name = 'ca' } = {}) {
  const out = files(dir, name)
  openssl(['req', '-x509', ...newKeyArgs('ec'), '-nodes', '-keyout', out.key, '-out', out.cert, '-days', DAYS,
    '-subj', `/CN=Cairn test CA ${name}`, '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir)
  return out
}

/** A server certificate for `names`, signed by `ca`. */
export function leafCert (dir, ca, { name = 'host', names = ['localhost', '127.0.0.1'], keyType = 'ec' } = {}) {
  const out = files(dir, name)
  const csr = join(dir, `${name}.csr`)
  const ext = join(dir, `${name}.ext`)
  openssl(['req', ...newKeyArgs(keyType), '-nodes', '-keyout', out.key, '-out', csr, '-subj', `/CN=${names[0]}`], dir)
  writeFileSync(ext, `subjectAltName=${subjectAltName(names)}\nbasicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n`)
  openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-days', DAYS,
    '-extfile', ext, '-out', out.cert], dir)
  return out
}

/** SHA-256 of the certificate's SubjectPublicKeyInfo, base64 (Chromium's --ignore-certificate-errors-spki-list). */
export function spkiHash (certPath) {
  const spki = new X509Certificate(readFileSync(certPath)).publicKey.export({ type: 'spki', format: 'der' })
  return createHash('sha256').update(spki).digest('base64')
}

/** The certificate's SHA-256 fingerprint as Node prints it (`AA:BB:…`). */
export function fingerprint (certPath) {
  return new X509Certificate(readFileSync(certPath)).fingerprint256
}
