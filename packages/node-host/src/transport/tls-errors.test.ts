import { describe, expect, it } from 'vitest'
import { CertificateError } from '@cairn/core'
import { certificateError } from './tls-errors.js'

const URL_ = 'wss://nas.lan:4001/mesh'
const tlsError = (code: string, extra: object = {}): Error => Object.assign(new Error(code), { code }, extra)

describe('certificateError', () => {
  it('names the problem for each verification failure, keeping the TLS error as cause', () => {
    const cases: Array<[string, RegExp]> = [
      ['DEPTH_ZERO_SELF_SIGNED_CERT', /^the TLS certificate of nas\.lan:4001 is self-signed and not trusted; .*NODE_EXTRA_CA_CERTS \[DEPTH_ZERO_SELF_SIGNED_CERT\]$/],
      ['SELF_SIGNED_CERT_IN_CHAIN', /signed by a CA that is not trusted.*\[SELF_SIGNED_CERT_IN_CHAIN\]$/],
      ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', /signed by a CA that is not trusted.*\[UNABLE_TO_VERIFY_LEAF_SIGNATURE\]$/],
      ['CERT_HAS_EXPIRED', /^the TLS certificate of nas\.lan:4001 has expired; the host must renew it \[CERT_HAS_EXPIRED\]$/],
      ['CERT_NOT_YET_VALID', /is not valid yet/],
      ['CERT_SOMETHING_NEW', /failed verification \(CERT_SOMETHING_NEW\)/]
    ]
    for (const [code, message] of cases) {
      const cause = tlsError(code)
      const err = certificateError(cause, URL_)
      expect(err).toBeInstanceOf(CertificateError)
      expect(err?.code).toBe('ERR_CERTIFICATE')
      expect(err?.message).toMatch(message)
      expect(err?.cause).toBe(cause)
    }
  })

  it('says which names a certificate for another host holds', () => {
    const err = certificateError(tlsError('ERR_TLS_CERT_ALTNAME_INVALID', { cert: { subjectaltname: 'DNS:other.lan' } }), URL_)
    expect(err?.message).toBe('the TLS certificate of nas.lan:4001 is not for nas.lan (it names DNS:other.lan); dial a name it covers')
  })

  it('leaves errors that are not about the certificate alone', () => {
    expect(certificateError(tlsError('ECONNREFUSED'), URL_)).toBeUndefined()
    expect(certificateError(new Error('no code'), URL_)).toBeUndefined()
    expect(certificateError(undefined, URL_)).toBeUndefined()
  })
})
