/**
 * Reading a QR code the page drew, as a phone camera would: the `<svg>` is
 * rasterised in the page (an image from a `blob:` URL onto a canvas, which
 * the app's CSP allows; no script is injected) and the pixels are decoded
 * here by jsQR, an independent decoder, so a test checks what the code says,
 * not how it was made.
 */
import { createRequire } from 'node:module'
import type { Locator } from '@playwright/test'

type JsQr = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null
const jsQR = createRequire(import.meta.url)('jsqr') as JsQr

const SIZE = 320

/** The text encoded by the QR code `svg` (an `<svg>` element), or null if none is found. */
export async function readQr (svg: Locator): Promise<string | null> {
  const base64 = await svg.evaluate(async (el: Element, size: number) => {
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
      const pixels = g.getImageData(0, 0, size, size).data
      let binary = ''
      for (let i = 0; i < pixels.length; i += 0x8000) binary += String.fromCharCode(...pixels.subarray(i, i + 0x8000))
      return btoa(binary)
    } finally {
      URL.revokeObjectURL(url)
    }
  }, SIZE)
  const pixels = new Uint8ClampedArray(Buffer.from(base64, 'base64'))
  return jsQR(pixels, SIZE, SIZE)?.data ?? null
}
