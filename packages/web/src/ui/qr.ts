/**
 * A QR code of a share link, since phones are where links go next. Encoded
 * by `qrcode-generator` and drawn as SVG elements (one path, no markup
 * strings, no inline script or style), dark on white with the quiet zone the
 * standard asks for, whatever the page's colour scheme.
 */
import qrcode from 'qrcode-generator'

const SVG = 'http://www.w3.org/2000/svg'
/** Light modules around the code, as the standard asks. */
const QUIET_ZONE = 4

/** The path of the dark modules, one `h1v1h-1z` square each, offset by the quiet zone. */
function modulesPath (qr: ReturnType<typeof qrcode>): string {
  const count = qr.getModuleCount()
  const parts: string[] = []
  for (let row = 0; row < count; row++) {
    for (let col = 0; col < count; col++) {
      if (qr.isDark(row, col)) parts.push(`M${col + QUIET_ZONE} ${row + QUIET_ZONE}h1v1h-1z`)
    }
  }
  return parts.join('')
}

/** An `<svg>` QR code of `text` (error correction M), `label` for assistive tech. */
export function qrSvg (text: string, label: string): SVGSVGElement {
  // Links are ASCII (URLs percent-encode the rest); the encoder's byte mode takes one byte per character.
  const ascii = /^[\x20-\x7e]*$/.test(text) ? text : encodeURI(text)
  const qr = qrcode(0, 'M')
  qr.addData(ascii, 'Byte')
  qr.make()
  const size = qr.getModuleCount() + 2 * QUIET_ZONE
  const svg = document.createElementNS(SVG, 'svg')
  svg.setAttribute('viewBox', `0 0 ${size} ${size}`)
  svg.setAttribute('role', 'img')
  svg.setAttribute('aria-label', label)
  svg.setAttribute('shape-rendering', 'crispEdges')
  svg.setAttribute('class', 'qr')
  svg.setAttribute('data-testid', 'share-qr')
  const background = document.createElementNS(SVG, 'rect')
  background.setAttribute('width', String(size))
  background.setAttribute('height', String(size))
  background.setAttribute('fill', '#fff')
  const modules = document.createElementNS(SVG, 'path')
  modules.setAttribute('d', modulesPath(qr))
  modules.setAttribute('fill', '#000')
  svg.append(background, modules)
  return svg
}
