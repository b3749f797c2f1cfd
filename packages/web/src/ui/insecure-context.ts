/**
 * What the page says when it is not a secure context (plain http from
 * another machine): browsers give Web Crypto, service workers and storage
 * only to https:// pages and to localhost, so Cairn cannot start there. Says
 * so, and how to get a secure page, instead of failing on a missing API.
 */
import { header } from './app.js'
import { h } from './dom.js'

/** The address bar's parts this needs (a `Location` will do). */
export interface PageAddress { hostname: string, port: string, hash: string }

function cmd (text: string): HTMLElement {
  return h('pre', { class: 'command' }, h('code', {}, text))
}

export function insecureContextPanel (at: PageAddress): HTMLElement {
  const host = at.hostname.includes(':') ? `[${at.hostname}]` : at.hostname
  const port = at.port === '' ? '4001' : at.port
  const san = /^[\d.]+$/.test(at.hostname) || at.hostname.includes(':') ? `IP:${at.hostname}` : `DNS:${at.hostname}`
  return h('section', { class: 'panel', 'data-testid': 'insecure-context' },
    h('h2', {}, 'Cairn needs HTTPS (or localhost)'),
    h('p', { role: 'alert' },
      `This page came over plain http from ${host}. Browsers keep encryption, offline storage and file streaming ` +
      'to secure pages only: https://, or http://localhost on the machine that runs the host. Any of these fixes it:'),
    h('ol', {},
      h('li', {},
        h('strong', {}, 'Run the host with a certificate'), ', then open the https:// join URL it prints:',
        cmd(`cairn host --listen 0.0.0.0 --tls-cert cert.pem --tls-key key.pem`)),
      h('li', {},
        h('strong', {}, 'Make that certificate'), ' with mkcert (its CA, once installed on a device, makes the certificate trusted there):',
        cmd(`mkcert -install && mkcert -cert-file cert.pem -key-file key.pem ${at.hostname}`),
        'or self-signed with openssl (every browser will ask you to accept it once):',
        cmd(`openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 -subj /CN=${at.hostname} -addext subjectAltName=${san} -keyout key.pem -out cert.pem`)),
      h('li', {},
        h('strong', {}, 'Or tunnel to the host'), ' and use localhost, which browsers trust as it is:',
        cmd(`ssh -N -L ${port}:localhost:${port} USER@${host}`),
        'then open ', h('code', {}, `http://localhost:${port}/${at.hash}`))))
}

/** Replace the page with the panel above. */
export function showInsecureContext (root: HTMLElement, at: PageAddress): void {
  root.replaceChildren(header(), h('main', {}, insecureContextPanel(at)))
}
