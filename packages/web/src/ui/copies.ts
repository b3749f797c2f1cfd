/**
 * How many copies hosts keep of a file, against their replica target: "1 of
 * 3 copies on hosts" is a warning, not a success, and 0 copies means only
 * this tab holds it.
 */
import { h } from './dom.js'

export function copiesBadge (copies: number, target: number | undefined): HTMLElement {
  const state = copies === 0 || (target !== undefined && copies < target) ? 'warn' : target === undefined ? 'muted' : 'ok'
  const plural = (n: number): string => n === 1 ? 'copy' : 'copies'
  const text = copies === 0
    ? 'No copy on hosts: only this tab holds it; keep it open while others download'
    : target === undefined
      ? `${copies} ${plural(copies)} on hosts`
      : `${copies} of ${target} ${plural(target)} on hosts${copies < target ? ': fewer hosts than the target are storing; more copies are made as hosts join' : ''}`
  return h('span', {
    class: state,
    'data-testid': 'replicas',
    'data-replicas': copies,
    'data-target': target,
    title: target === undefined ? undefined : `Replica target: ${target}`
  }, text)
}
