/** A button that copies `text()` to the clipboard and says so. */
import { h } from './dom.js'

export function copyButton (text: () => string, label = 'Copy link'): HTMLButtonElement {
  const button = h('button', { type: 'button', class: 'secondary', 'data-testid': 'copy-link' }, label)
  button.addEventListener('click', () => {
    void (async () => {
      try {
        await navigator.clipboard.writeText(text())
        button.textContent = 'Copied'
      } catch {
        button.textContent = 'Select and copy the link'
      }
      setTimeout(() => { button.textContent = label }, 2000)
    })()
  })
  return button
}

/** A read-only, selectable field holding a share link. */
export function linkField (link: string, label: string): HTMLElement {
  const id = `link-${crypto.randomUUID()}`
  const input = h('input', {
    id, type: 'text', readonly: true, value: link, class: 'link', 'data-testid': 'file-link', spellcheck: 'false'
  })
  input.addEventListener('focus', () => { input.select() })
  return h('div', { class: 'link-row' },
    h('label', { for: id, class: 'visually-hidden' }, label),
    input,
    copyButton(() => input.value))
}
