/**
 * The LINK argument of `cairn get`: core's `parseLink`, with a message for text
 * that is not a Cairn link saying so and showing what a link looks like.
 */
import { LinkError, parseLink, type ParsedLink } from '@cairn/core'

/** The two forms a link takes. */
export const LINK_FORMS = 'ROOT.KEY or http://HOST:PORT/#join=TOKEN&file=ROOT.KEY'

/** Longest part of the user's text quoted back. */
const SHOWN_CHARS = 60

function quoted (text: string): string {
  const printable = text.replace(/[\x00-\x1f\x7f]/g, '?')
  return printable.length > SHOWN_CHARS ? `${printable.slice(0, SHOWN_CHARS)}…` : printable
}

export function parseLinkArg (text: string): ParsedLink {
  try {
    return parseLink(text)
  } catch (err) {
    if (!(err instanceof LinkError)) throw err
    // "link: …" is about the text's overall shape (whitespace, no dot): not worth repeating.
    // The other reasons name the part that is wrong (root, key, join token) and are kept.
    const detail = err.message.startsWith('link: ') ? '' : ` (${err.message})`
    throw new LinkError(`link '${quoted(text)}' is not a Cairn link${detail}; a link looks like ${LINK_FORMS}`, { cause: err })
  }
}
