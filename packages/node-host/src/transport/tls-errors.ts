/**
 * What went wrong with a `wss://` dial, in words: Node's TLS error codes for a
 * certificate that failed verification become a `CertificateError` whose
 * one-line message names the problem and the fix.
 */
import { CertificateError } from '@cairn/core'

const TRUST_HINT = 'if you trust it, add it (or the CA that signed it) to NODE_EXTRA_CA_CERTS'

/** Why verification failed, by OpenSSL/Node error code. */
const PROBLEMS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: `is self-signed and not trusted; ${TRUST_HINT}`,
  SELF_SIGNED_CERT_IN_CHAIN: `is signed by a CA that is not trusted; ${TRUST_HINT}`,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: `is signed by a CA that is not trusted; ${TRUST_HINT}`,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: `is signed by a CA that is not trusted; ${TRUST_HINT}`,
  UNABLE_TO_GET_ISSUER_CERT: `is signed by a CA that is not trusted; ${TRUST_HINT}`,
  CERT_HAS_EXPIRED: 'has expired; the host must renew it',
  CERT_NOT_YET_VALID: 'is not valid yet (check both clocks)',
  CERT_REVOKED: 'has been revoked',
  CERT_SIGNATURE_FAILURE: 'has a signature that does not verify',
  CERT_UNTRUSTED: `is not trusted; ${TRUST_HINT}`,
  CERT_REJECTED: 'was rejected',
  INVALID_CA: 'chains through a certificate that is not a CA',
  INVALID_PURPOSE: 'is not for TLS servers'
}

/** The `CertificateError` for a failed `wss://` dial, or undefined if `cause` is not about the certificate. */
export function certificateError (cause: unknown, url: string): CertificateError | undefined {
  const code = (cause as { code?: unknown } | undefined)?.code
  if (typeof code !== 'string') return undefined
  const where = new URL(url).host
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const names = (cause as { cert?: { subjectaltname?: string } }).cert?.subjectaltname
    const hostname = new URL(url).hostname
    return new CertificateError(`the TLS certificate of ${where} is not for ${hostname}${names === undefined ? '' : ` (it names ${names})`}; dial a name it covers`, { cause })
  }
  const problem = PROBLEMS[code] ?? (/CERT/.test(code) ? `failed verification (${code})` : undefined)
  if (problem === undefined) return undefined
  return new CertificateError(`the TLS certificate of ${where} ${problem} [${code}]`, { cause })
}
