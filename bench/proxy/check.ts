/** checkHello: a proxy is only measured once it answers like the backend. */
import http from 'node:http';
import { HELLO } from './load-shape.js';

/** checkHello GETs / from 127.0.0.1:`port` (on a connection of its own) and rejects unless it is a 200 with HELLO. */
export async function checkHello(name: string, port: number): Promise<void> {
  const { status, body } = await new Promise<{ status: number; body: string }>(
    (resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
          let body = '';
          res.setEncoding('latin1');
          res.on('data', (s: string) => (body += s));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          res.on('error', reject);
        })
        .on('error', reject);
    },
  );
  if (status !== 200 || body !== HELLO) {
    throw new Error(`${name} answered ${status} ${JSON.stringify(body)}, want 200 "${HELLO}"`);
  }
}
