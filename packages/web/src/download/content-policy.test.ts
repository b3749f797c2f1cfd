import { describe, expect, it } from 'vitest'
import { FILE_RESPONSE_HEADERS, presentation } from './content-policy.js'

describe('presentation of a manifest type', () => {
  it('inlines raster images, audio and video under their canonical type', () => {
    expect(presentation('image/png')).toEqual({ disposition: 'inline', contentType: 'image/png', preview: 'image' })
    expect(presentation(' IMAGE/JPEG ; q=1')).toEqual({ disposition: 'inline', contentType: 'image/jpeg', preview: 'image' })
    expect(presentation('video/webm')).toMatchObject({ disposition: 'inline', preview: 'video' })
    expect(presentation('audio/mpeg')).toMatchObject({ disposition: 'inline', preview: 'audio' })
  })

  it('serves plain text as text/plain, keeping only a plain charset', () => {
    expect(presentation('text/plain')).toEqual({ disposition: 'inline', contentType: 'text/plain; charset=utf-8', preview: 'text' })
    expect(presentation('text/plain; charset=ISO-8859-1')).toMatchObject({ contentType: 'text/plain; charset=iso-8859-1' })
    expect(presentation('text/plain; charset="x\r\nSet-Cookie: a=b"')).toMatchObject({ contentType: 'text/plain; charset=utf-8' })
  })

  it('makes everything that can hold script, and anything unknown, an octet-stream attachment', () => {
    for (const type of [
      'image/svg+xml', 'text/html', 'application/xhtml+xml', 'text/xml', 'application/xml', 'application/pdf',
      'text/javascript', 'text/css', 'application/json', 'multipart/x-mixed-replace', 'image/x-icon', '',
      'text/plain+html', 'image/png\r\nX: y', 'toString', '__proto__', 'constructor'
    ]) {
      expect(presentation(type), type).toEqual({ disposition: 'attachment', contentType: 'application/octet-stream' })
    }
  })

  it('sandboxes every file response, with no sniffing and no cross-origin embedding', () => {
    expect(FILE_RESPONSE_HEADERS['Content-Security-Policy']).toBe("sandbox; default-src 'none'")
    expect(FILE_RESPONSE_HEADERS['X-Content-Type-Options']).toBe('nosniff')
    expect(FILE_RESPONSE_HEADERS['Cross-Origin-Resource-Policy']).toBe('same-origin')
  })
})
