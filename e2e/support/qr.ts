/**
 * Reading a QR code the page drew, as a phone camera would: the element is
 * rasterised in the page (SVG → canvas) and decoded by jsQR, an independent
 * decoder, so a test checks what the code says, not how it was made.
 */
import { createRequire } from 'node:module'
import type { Locator } from '@playwright/test'

const JSQR = createRequire(import.meta.url).resolve('jsqr/dist/jsQR.js')

/** The text encoded by the QR code `svg` (an `<svg>` element), or null if none is found. */
export async function readQr (svg: Locator): Promise<string | null> {
  const page = svg.page()
  if (await page.evaluate(() => typeof (window as unknown as { jsQR?: unknown }).jsQR !== 'function')) {
    await page.addScriptTag({ path: JSQR })
  }
  return await svg.evaluate(async (el: Element) => {
    type JsQr = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null
    const jsQR = (window as unknown as { jsQR: JsQr }).jsQR
    const size = 400
    const source = new XMLSerializer().serializeToString(el)
    const url = URL.createObjectURL(new Blob([source], { type: 'image/svg+xml' }))
    try {
      const img = new Image(size, size)
      img.src = url
      await img.decode()
      const canvas = document.createElement('canvas')
      canvas.width = size
      canvas.height = size
      const g = canvas.getContext('2d')!
      g.fillStyle = '#fff'
      g.fillRect(0, 0, size, size)
      g.drawImage(img, 0, 0, size, size)
      const pixels = g.getImageData(0, 0, size, size)
      return jsQR(pixels.data, size, size)?.data ?? null
    } finally {
      URL.revokeObjectURL(url)
    }
  })
}
