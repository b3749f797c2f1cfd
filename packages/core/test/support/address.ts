/** Helpers shared by the address tests (kept out of dist). */
import { expect } from 'vitest'
import fc from 'fast-check'
import { LinkError } from '../../src/errors.js'

/** `parse` of any string up to `maxLength` either returns or throws `LinkError`, nothing else. */
export function expectOnlyLinkErrors (parse: (text: string) => unknown, maxLength = 200): void {
  fc.assert(fc.property(fc.string({ maxLength }), text => {
    try {
      parse(text)
    } catch (err) {
      expect(err).toBeInstanceOf(LinkError)
    }
  }))
}
