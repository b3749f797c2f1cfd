/** A few lines of DOM building, so panels read as markup. */
type Child = Node | string | number | null | undefined | false
type Attrs = Record<string, string | number | boolean | undefined | ((event: Event) => void)>

/**
 * `h('button', { class: 'primary', onclick: fn, 'data-testid': 'x' }, 'Label')`.
 * `on*` attributes become listeners; `true` sets an empty attribute; `false`
 * and `undefined` skip it.
 */
export function h<K extends keyof HTMLElementTagNameMap> (tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  for (const [name, value] of Object.entries(attrs)) {
    if (typeof value === 'function') el.addEventListener(name.slice(2), value)
    else if (value === true) el.setAttribute(name, '')
    else if (value !== false && value !== undefined) el.setAttribute(name, String(value))
  }
  append(el, children)
  return el
}

export function append (el: Element, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue
    el.append(child instanceof Node ? child : String(child))
  }
}

/** Replace all of `el`'s children. */
export function replace (el: Element, ...children: Child[]): void {
  el.replaceChildren()
  append(el, children)
}
