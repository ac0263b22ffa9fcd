/**
 * curl as the client of the throughput rows: one download of the backend's
 * big body through a proxy, on the load core, body to /dev/null.
 */
import { spawnSync } from 'node:child_process';
import { PEER_CPU, spawnPinned } from '../conn/child.js';
import { BIG_BODY_BYTES, BIG_PATH } from './load-shape.js';

/** hasCurl reports whether a `curl` binary is on the PATH. */
export function hasCurl(): boolean {
  return spawnSync('curl', ['--version']).error === undefined;
}

/**
 * download fetches BIG_PATH from 127.0.0.1:`port` once and resolves with
 * curl's average speed in bytes per second; it rejects unless the answer
 * was a 200 with every byte.
 */
export async function download(port: number): Promise<number> {
  const child = spawnPinned(PEER_CPU, [
    'curl',
    '-sS',
    '-o',
    '/dev/null',
    '-w',
    '%{http_code} %{size_download} %{speed_download}',
    `http://127.0.0.1:${port}${BIG_PATH}`,
  ]);
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const [status, size, speed = 0] = out.trim().split(' ').map(Number);
  if (code !== 0 || status !== 200 || size !== BIG_BODY_BYTES || !(speed > 0)) {
    throw new Error(`download through :${port} failed (curl exit ${code}): ${out}`);
  }
  return speed;
}
