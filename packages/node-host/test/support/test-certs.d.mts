export interface CertFiles { cert: string, key: string }
export interface CertOptions { name?: string, names?: string[], keyType?: 'ec' | 'rsa' }
export function selfSignedCert (dir: string, options?: CertOptions): CertFiles
export function testCa (dir: string, options?: { name?: string }): CertFiles
export function leafCert (dir: string, ca: CertFiles, options?: CertOptions): CertFiles
export function spkiHash (certPath: string): string
export function fingerprint (certPath: string): string
