import { describe, expect, it } from 'vitest'
import { browserName } from './browser-name.js'

const UA = {
  chromeMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  firefoxAndroid: 'Mozilla/5.0 (Android 14; Mobile; rv:127.0) Gecko/127.0 Firefox/127.0',
  safariIphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  edgeWindows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0',
  headlessLinux: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36'
}

describe('browserName', () => {
  it('names browser and OS from the UA string', () => {
    expect(browserName({ userAgent: UA.chromeMac })).toBe('Chrome on macOS')
    expect(browserName({ userAgent: UA.firefoxAndroid })).toBe('Firefox on Android')
    expect(browserName({ userAgent: UA.safariIphone })).toBe('Safari on iOS')
    expect(browserName({ userAgent: UA.edgeWindows })).toBe('Edge on Windows')
    expect(browserName({ userAgent: UA.headlessLinux })).toBe('Chromium on Linux')
  })

  it('prefers Client Hints when the browser has them', () => {
    const brands = [{ brand: 'Not/A)Brand' }, { brand: 'Chromium' }, { brand: 'Google Chrome' }]
    expect(browserName({ userAgent: UA.chromeMac, userAgentData: { brands, platform: 'Windows' } })).toBe('Chrome on Windows')
    expect(browserName({ userAgent: '', userAgentData: { brands: [{ brand: 'Chromium' }], platform: 'Linux' } })).toBe('Chromium on Linux')
  })

  it('says something sensible when nothing is known', () => {
    expect(browserName({ userAgent: 'curl/8' })).toBe('Browser tab')
    expect(browserName({ userAgent: 'Something (Linux)' })).toBe('Browser on Linux')
  })
})
