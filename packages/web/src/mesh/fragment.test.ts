import { describe, expect, it } from 'vitest'
import { formatFragment, meshUrl, parseFragment } from './fragment.js'

describe('URL fragment', () => {
  it('reads the join token and file link', () => {
    expect(parseFragment('#join=abc%2Bdef&file=bafkrei.x')).toEqual({ join: 'abc+def', file: 'bafkrei.x' })
    expect(parseFragment('#file=bafkrei.x')).toEqual({ join: '', file: 'bafkrei.x' })
    expect(parseFragment('')).toEqual({ join: '' })
  })

  it('formats what it parses', () => {
    expect(formatFragment({ join: 'a+b', file: 'r.k' })).toBe('#join=a%2Bb&file=r.k')
    expect(formatFragment({ join: '' })).toBe('')
  })

  it('derives the mesh endpoint from the page location', () => {
    expect(meshUrl({ protocol: 'http:', host: '127.0.0.1:4001' })).toBe('ws://127.0.0.1:4001/mesh')
    expect(meshUrl({ protocol: 'https:', host: 'example.org' })).toBe('wss://example.org/mesh')
  })
})
