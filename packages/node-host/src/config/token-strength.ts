/**
 * Whether a join token a user chose stands up to guessing. The handshake
 * makes each offline guess cost a PBKDF2 of 600,000 rounds and a host slows
 * down online guesses, but a short or patterned token still falls to a
 * dictionary. Required: at least 16 characters, at least 80 bits by the
 * alphabet it is drawn from (16 hex digits are only 64), and more than a
 * handful of different characters. `cairn host` makes a 128-bit token when
 * given none.
 */

export const MIN_TOKEN_LENGTH = 16
export const MIN_TOKEN_BITS = 80
const MIN_DISTINCT = 6

/** Alphabets a random token is usually drawn from, smallest first. */
const ALPHABETS: Array<[RegExp, number, string]> = [
  [/^[0-9]+$/, 10, 'digits'],
  [/^([0-9a-f]+|[0-9A-F]+)$/, 16, 'hex digits'],
  [/^([a-z]+|[A-Z]+)$/, 26, 'letters of one case'],
  [/^([a-z2-7]+|[A-Z2-7]+)$/, 32, 'base32 characters'],
  [/^([a-z0-9]+|[A-Z0-9]+)$/, 36, 'letters of one case and digits'],
  [/^[A-Za-z]+$/, 52, 'letters'],
  [/^[A-Za-z0-9]+$/, 62, 'letters and digits'],
  [/^[A-Za-z0-9_-]+$/, 64, 'base64url characters']
]

/** Bits of a token drawn at random from the smallest alphabet it fits, and that alphabet's name. */
export function tokenBits (token: string): { bits: number, alphabet: string } {
  const [, size, alphabet] = ALPHABETS.find(([pattern]) => pattern.test(token)) ?? [undefined, 94, 'printable characters']
  return { bits: Math.floor(token.length * Math.log2(size)), alphabet }
}

/** Why `token` is too weak, or undefined if it is strong enough. */
export function tokenWeakness (token: string): string | undefined {
  if (token.length < MIN_TOKEN_LENGTH) return `${token.length} characters, at least ${MIN_TOKEN_LENGTH} needed`
  if (new Set(token).size < MIN_DISTINCT) return `only ${new Set(token).size} different characters`
  const { bits, alphabet } = tokenBits(token)
  if (bits < MIN_TOKEN_BITS) return `${token.length} ${alphabet} carry about ${bits} bits, at least ${MIN_TOKEN_BITS} needed`
  return undefined
}
