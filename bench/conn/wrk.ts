/**
 * wrk as the load generator for the server bench: one thread, keep-alive
 * connections, pinned to the load core; optionally 16 requests pipelined
 * per write (pipeline-16.lua).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PEER_CPU, spawnPinned } from './child.js';

/** PIPELINE_DEPTH: requests per write in pipeline-16.lua. */
export const PIPELINE_DEPTH = 16;

/** WrkRun: one wrk invocation. */
export interface WrkRun {
  port: number;
  seconds: number;
  connections: number;
  pipelined: boolean;
  /** A Lua script (absolute path) and the arguments its `init(args)` gets; not with `pipelined`. */
  script?: { path: string; args: readonly string[] };
}

/** WrkResult: what wrk printed, as numbers. */
export interface WrkResult {
  requestsPerSec: number;
  requests: number;
  /** Connect, read, write and timeout errors added up. */
  socketErrors: number;
  non2xx: number;
}

/** wrkErrors describes a run's failed requests ("3 non-2xx, 0 socket errors"), or null when every request got a 2xx. */
export function wrkErrors(result: WrkResult): string | null {
  if (result.non2xx === 0 && result.socketErrors === 0) return null;
  return `${result.non2xx} non-2xx, ${result.socketErrors} socket errors`;
}

/** hasWrk reports whether a `wrk` binary is on the PATH. */
export function hasWrk(): boolean {
  return spawnSync('wrk', ['-v']).error === undefined;
}

/** runWrk runs wrk against 127.0.0.1:`port` and parses its summary. */
export async function runWrk(run: WrkRun): Promise<WrkResult> {
  const args = ['wrk', '-t1', `-c${run.connections}`, `-d${run.seconds}s`];
  if (run.pipelined) args.push('-s', fileURLToPath(new URL('pipeline-16.lua', import.meta.url)));
  if (run.script !== undefined) args.push('-s', run.script.path);
  args.push(`http://127.0.0.1:${run.port}/`);
  if (run.script !== undefined) args.push('--', ...run.script.args);
  const child = spawnPinned(PEER_CPU, args);
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const rate = number(out, /Requests\/sec:\s+([\d.]+)/);
  if (code !== 0 || rate === null) throw new Error(`wrk failed (exit ${code}):\n${out}`);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    requestsPerSec: rate,
    requests: number(out, /(\d+) requests in/) ?? 0,
    socketErrors: errors === null ? 0 : errors.slice(1).reduce((sum, n) => sum + Number(n), 0),
    non2xx: number(out, /Non-2xx or 3xx responses: (\d+)/) ?? 0,
  };
}

function number(text: string, pattern: RegExp): number | null {
  const match = pattern.exec(text);
  return match === null ? null : Number(match[1]);
}
