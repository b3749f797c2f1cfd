/**
 * A button that copies `text()` to the clipboard and says so. Where the
 * Clipboard API is missing (a page served over plain http from another
 * machine is not a secure context), it falls back to copying a selection.
 */
import { h } from './dom.js'

/** Copy through a selected, off-screen text field: works on user gesture in any context. */
function copyBySelection (text: string): boolean {
  const field = h('textarea', { readonly: true, class: 'visually-hidden', 'aria-hidden': 'true' })
  field.value = text
  document.body.append(field)
  field.select()
  try {
    return document.execCommand('copy')
  } catch {
    return false
  } finally {
    field.remove()
  }
}

export function copyButton (text: () => string, label = 'Copy link'): HTMLButtonElement {
  const button = h('button', { type: 'button', class: 'secondary', 'data-testid': 'copy-link' }, label)
  button.addEventListener('click', () => {
    void (async () => {
      let copied: boolean
      try {
        await navigator.clipboard.writeText(text())
        copied = true
      } catch {
        copied = copyBySelection(text())
      }
      button.textContent = copied ? 'Copied' : 'Could not copy: select the full link'
      setTimeout(() => { button.textContent = label }, 2000)
    })()
  })
  return button
}
