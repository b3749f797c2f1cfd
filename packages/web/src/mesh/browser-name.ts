/**
 * A readable name for this tab, sent in its hello so other tabs and hosts
 * can tell peers apart: the browser and the OS ("Firefox on Android"). From
 * User-Agent Client Hints where the browser has them, else the UA string.
 */

interface Brand { brand: string }
interface UaData { brands?: Brand[], platform?: string }

/** Brands as Client Hints name them, most specific first. */
const BRANDS = ['Microsoft Edge', 'Opera', 'Brave', 'Vivaldi', 'Google Chrome', 'Chromium', 'HeadlessChrome']

/** UA string markers, most specific first (Edge and Opera also say Chrome; Chrome also says Safari). */
const UA_BROWSERS: Array<[RegExp, string]> = [
  [/\bEdg(e|A|iOS)?\//, 'Edge'], [/\b(OPR|Opera)\//, 'Opera'], [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\b(Firefox|FxiOS)\//, 'Firefox'], [/\bHeadlessChrome\//, 'Chromium'], [/\b(Chrome|CriOS)\//, 'Chrome'],
  [/\bChromium\//, 'Chromium'], [/\bSafari\//, 'Safari']
]

const UA_SYSTEMS: Array<[RegExp, string]> = [
  [/\bAndroid\b/, 'Android'], [/\b(iPhone|iPad|iPod)\b/, 'iOS'], [/\bCrOS\b/, 'ChromeOS'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'], [/\bWindows\b/, 'Windows'], [/\bLinux\b/, 'Linux']
]

const PLATFORMS: Record<string, string> = { 'Chrome OS': 'ChromeOS', 'Chromium OS': 'ChromeOS', macOS: 'macOS' }

function first (text: string, table: Array<[RegExp, string]>): string | undefined {
  return table.find(([pattern]) => pattern.test(text))?.[1]
}

function brandName (brands: Brand[] | undefined): string | undefined {
  const names = (brands ?? []).map(b => b.brand)
  const known = BRANDS.find(brand => names.includes(brand))
  if (known === undefined) return undefined
  return known === 'Google Chrome' ? 'Chrome' : known === 'Microsoft Edge' ? 'Edge' : known === 'HeadlessChrome' ? 'Chromium' : known
}

/** "Browser on OS", or "Browser tab" when nothing is known. */
export function browserName (nav: { userAgent: string, userAgentData?: UaData } = navigator as Navigator & { userAgentData?: UaData }): string {
  const ua = nav.userAgent
  const browser = brandName(nav.userAgentData?.brands) ?? first(ua, UA_BROWSERS)
  const platform = nav.userAgentData?.platform
  const system = platform !== undefined && platform !== '' ? PLATFORMS[platform] ?? platform : first(ua, UA_SYSTEMS)
  if (browser === undefined) return system === undefined ? 'Browser tab' : `Browser on ${system}`
  return system === undefined ? browser : `${browser} on ${system}`
}
