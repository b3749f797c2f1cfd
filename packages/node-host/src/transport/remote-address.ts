/**
 * What a host counts unauthenticated connections and failed handshakes by:
 * the remote IPv4 address, or the remote IPv6 /64 (a single subscriber
 * usually holds a whole /64 and could otherwise walk through it).
 * IPv4-mapped IPv6 (`::ffff:a.b.c.d`) counts as the IPv4 address.
 */
import { isIPv4, isIPv6 } from 'node:net'

export function addressKey (address: string | undefined): string {
  if (address === undefined || address === '') return 'unknown'
  const bare = address.split('%')[0]!
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(bare)
  if (mapped !== null) return mapped[1]!
  if (isIPv4(bare) || !isIPv6(bare)) return bare
  return `${ipv6Groups(bare).slice(0, 4).join(':')}::/64`
}

/** The eight 16-bit groups of a valid IPv6 address, as short hex. */
function ipv6Groups (address: string): string[] {
  const [head = '', tail] = address.split('::')
  const parse = (part: string): string[] => part === '' ? [] : part.split(':').flatMap(group => {
    if (!group.includes('.')) return [parseInt(group, 16).toString(16)]
    const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number)
    return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)]
  })
  const left = parse(head)
  const right = tail === undefined ? [] : parse(tail)
  return [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
}
