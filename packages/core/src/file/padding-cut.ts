import { PADDING_MARKER } from '../crypto/geometry.js'
import { IntegrityError } from '../errors.js'

/**
 * Format 2: a read that reaches the end of a file runs on through the
 * content's padding, as a Cobblestone reader runs on to the final chunk, so
 * that the content confirms the manifest's size: PADDING_MARKER right at
 * `size`, then only zeros to the end of the message. A size that disagrees
 * (a forged manifest, a bug) is an IntegrityError, never bytes too many or
 * too few. The padding itself is never returned.
 */
export class PaddingCut {
  #at: number
  readonly #size: number
  readonly #end: number

  /** Pieces start at plaintext offset `start`; the file has `size` bytes, its content message `end`. */
  constructor (start: number, size: number, end: number) {
    this.#at = start
    this.#size = size
    this.#end = end
  }

  /** The next piece, in order: its bytes before `size`; the rest is checked as padding. */
  take (piece: Uint8Array): Uint8Array {
    const keep = Math.max(0, Math.min(piece.length, this.#size - this.#at))
    for (let i = keep; i < piece.length; i++) {
      if (piece[i] !== (this.#at + i === this.#size ? PADDING_MARKER : 0)) throw mismatch()
    }
    this.#at += piece.length
    return piece.subarray(0, keep)
  }

  /** After the last piece: the padding was read to the end of the message. */
  finish (): void {
    if (this.#at !== this.#end) throw mismatch()
  }
}

function mismatch (): IntegrityError {
  return new IntegrityError('file content does not end where its manifest says (padding mismatch)')
}
