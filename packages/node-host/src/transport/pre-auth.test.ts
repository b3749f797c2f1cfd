/**
 * Unit tests of the host's pre-authentication policies, on a fake clock:
 * address keys, waiting-socket caps with eviction, wrong-token backoff, the
 * origin policy and the throttled log. The real-process tests are in
 * test/reliability (pre-auth-limits, token-guessing, origin).
 */
import { describe, expect, it } from 'vitest'
import { HandshakeLimiter } from './handshake-limiter.js'
import { OriginPolicy } from './origin-policy.js'
import { PreAuthSlots } from './pre-auth-slots.js'
import { addressKey } from './remote-address.js'
import { ThrottledLog } from './throttled-log.js'

describe('addressKey', () => {
  it('keys IPv4 by address, IPv4-mapped IPv6 as IPv4, IPv6 by /64', () => {
    expect(addressKey('10.0.0.7')).toBe('10.0.0.7')
    expect(addressKey('::ffff:10.0.0.7')).toBe('10.0.0.7')
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64')
    expect(addressKey('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64')
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64')
    expect(addressKey('::1')).toBe('0:0:0:0::/64')
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64')
    expect(addressKey(undefined)).toBe('unknown')
  })
})

describe('PreAuthSlots', () => {
  it('refuses an address at its cap, frees a slot on release', () => {
    const slots = new PreAuthSlots({ total: 10, perAddress: 2 })
    const a = slots.claim('a')
    const b = slots.claim('a')
    expect(slots.claim('a')).toEqual({ refused: 'address-full' })
    if (!('slot' in a) || !('slot' in b)) throw new Error('expected slots')
    a.slot.release()
    a.slot.release()
    expect(slots.size).toBe(1)
    expect('slot' in slots.claim('a')).toBe(true)
  })

  it('when full, evicts the oldest socket of the biggest address for a newcomer holding at least two fewer', () => {
    const slots = new PreAuthSlots({ total: 4, perAddress: 4 })
    const closed: string[] = []
    for (const [key, name] of [['x', 'x1'], ['x', 'x2'], ['x', 'x3'], ['y', 'y1']]) {
      const claim = slots.claim(key!)
      if (!('slot' in claim)) throw new Error('expected a slot')
      claim.slot.onEvict(() => { closed.push(name!) })
    }
    const honest = slots.claim('z')
    expect(honest).toMatchObject({ evicted: 'x' })
    expect(closed).toEqual(['x1'])
    expect(slots.size).toBe(4)
    // x holds 2, y 1, z 1: y (1) is not two below x (2), and x itself never evicts its own.
    expect(slots.claim('y')).toEqual({ refused: 'host-full' })
    expect(slots.claim('x')).toEqual({ refused: 'host-full' })
    expect(slots.claim('w')).toMatchObject({ evicted: 'x' })
    expect(closed).toEqual(['x1', 'x2'])
  })
})

describe('HandshakeLimiter', () => {
  function limiter (): { limiter: HandshakeLimiter, clock: { t: number } } {
    const clock = { t: 0 }
    return { limiter: new HandshakeLimiter({ base: 1_000, max: 60_000, maxWait: 5_000, forgetAfter: 600_000, now: () => clock.t }), clock }
  }

  it('lets an address with no wrong tokens in at once, any number of times', () => {
    const { limiter: l } = limiter()
    for (let i = 0; i < 100; i++) expect(l.admit('a')).toEqual({ wait: 0 })
  })

  it('doubles the wait after each wrong token, spaces parallel attempts, and refuses beyond maxWait', () => {
    const { limiter: l, clock } = limiter()
    expect(l.failed('a')).toEqual({ failures: 1, delay: 1_000 })
    expect(l.admit('a')).toEqual({ wait: 1_000 })
    // A second socket opened at the same time gets the slot after that one.
    expect(l.admit('a')).toEqual({ wait: 2_000 })
    expect(l.admit('b')).toEqual({ wait: 0 })
    clock.t = 2_000
    expect(l.failed('a')).toEqual({ failures: 2, delay: 2_000 })
    expect(l.failed('a')).toEqual({ failures: 3, delay: 4_000 })
    expect(l.admit('a')).toEqual({ wait: 4_000 })
    expect(l.failed('a')).toEqual({ failures: 4, delay: 8_000 })
    expect(l.admit('a')).toEqual({ retryAfter: 8_000 })
    for (let i = 0; i < 10; i++) l.failed('a')
    expect(l.failed('a').delay).toBe(60_000)
  })

  it('clears an address on success, and forgets one quiet for forgetAfter', () => {
    const { limiter: l, clock } = limiter()
    l.failed('a')
    l.failed('b')
    l.succeeded('a')
    expect(l.admit('a')).toEqual({ wait: 0 })
    clock.t = 700_000
    expect(l.admit('b')).toEqual({ wait: 0 })
    expect(l.size).toBe(0)
  })
})

describe('OriginPolicy', () => {
  const policy = new OriginPolicy(['https://cairn.example.org'])

  it('lets clients without an Origin (Node) in', () => {
    expect(policy.allows(undefined, '127.0.0.1:4001')).toBe(true)
  })

  it('lets in pages of the host itself, addressed by IP or localhost', () => {
    expect(policy.allows('http://127.0.0.1:4001', '127.0.0.1:4001')).toBe(true)
    expect(policy.allows('http://localhost:4001', 'localhost:4001')).toBe(true)
    expect(policy.allows('http://[::1]:4001', '[::1]:4001')).toBe(true)
    expect(policy.allows('http://192.168.1.20:4001', '192.168.1.20:4001')).toBe(true)
    expect(policy.allows('http://10.0.0.1', '10.0.0.1:80')).toBe(true)
  })

  it('refuses other sites, other ports, rebound DNS names and odd origins; allows listed ones', () => {
    expect(policy.allows('https://evil.example', '127.0.0.1:4001')).toBe(false)
    expect(policy.allows('http://127.0.0.1:5173', '127.0.0.1:4001')).toBe(false)
    expect(policy.allows('http://evil.example:4001', 'evil.example:4001')).toBe(false)
    expect(policy.allows('null', '127.0.0.1:4001')).toBe(false)
    expect(policy.allows('file://', '127.0.0.1:4001')).toBe(false)
    expect(policy.allows('http://127.0.0.1:4001', undefined)).toBe(false)
    expect(policy.allows('https://cairn.example.org', '127.0.0.1:4001')).toBe(true)
  })

  it('over its own TLS, lets in its pages under any name the certificate covered; never plain http ones', () => {
    expect(policy.allows('https://nas.lan:4001', 'nas.lan:4001', true)).toBe(true)
    expect(policy.allows('https://nas.lan:4001', 'nas.lan:4001', false)).toBe(false)
    expect(policy.allows('http://nas.lan:4001', 'nas.lan:4001', true)).toBe(false)
    expect(policy.allows('https://evil.example', 'nas.lan:4001', true)).toBe(false)
  })
})

describe('ThrottledLog', () => {
  it('writes one line per key per interval and counts the ones held back', () => {
    const lines: string[] = []
    const clock = { t: 0 }
    const log = new ThrottledLog(line => { lines.push(line) }, 10_000, 2, () => clock.t)
    for (let i = 0; i < 5; i++) log.note('a', 'about a')
    log.note('b', 'about b')
    clock.t = 10_000
    log.note('a', 'about a')
    expect(lines).toEqual(['about a', 'about b', 'about a (and 4 more since the last such line)'])
  })
})
