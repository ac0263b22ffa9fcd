/**
 * The clients of a fault-injection run, three kinds on 127.0.0.1: an
 * undici Pool and a node:http keep-alive Agent with a few connections
 * each, and raw sockets sending one request each. `get` reports what the
 * client saw as an Outcome: a response it read to its end (each client
 * checks the framing: a Content-Length body cut short or a chunked body
 * with no last chunk is an error, never a response), or the error that
 * stopped it.
 */
import { Agent, get as httpGet } from 'node:http';
import { Pool } from 'undici';
import { parseMessages } from '../../src/parser/index.js';
import { connectTo } from '../helpers/raw-peer.js';

/** ClientKind: which client sends a request. */
export type ClientKind = 'undici' | 'node:http' | 'raw';

/** CLIENT_KINDS: every kind, in the order requests are spread over them. */
export const CLIENT_KINDS: readonly ClientKind[] = ['undici', 'node:http', 'raw'];

/** Outcome: a complete response (status and whole body), or the error that ended the exchange. */
export type Outcome = { status: number; body: Buffer } | { error: string };

/** FaultClients: `get(kind, path)` on the proxy at `port`; `close()` closes every connection. */
export interface FaultClients {
  get(kind: ClientKind, path: string): Promise<Outcome>;
  close(): Promise<void>;
}

/** faultClients makes the clients of 127.0.0.1:`port`, each with `connections` kept-alive connections. */
export function faultClients(port: number, connections: number): FaultClients {
  const origin = `http://127.0.0.1:${port}`;
  const pool = new Pool(origin, { connections, pipelining: 1 });
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const viaUndici = async (path: string): Promise<Outcome> => {
    const res = await pool.request({ method: 'GET', path });
    return { status: res.statusCode, body: Buffer.from(await res.body.arrayBuffer()) };
  };
  const viaNodeHttp = (path: string) =>
    new Promise<Outcome>((resolve, reject) => {
      const req = httpGet({ host: '127.0.0.1', port, path, agent }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (part: Buffer) => parts.push(part));
        res.on('error', reject);
        res.on('close', () => {
          if (res.complete) resolve({ status: res.statusCode!, body: Buffer.concat(parts) });
          else reject(new Error('node:http: response incomplete'));
        });
      });
      req.on('error', reject);
    });
  const viaRaw = async (path: string): Promise<Outcome> => {
    const socket = await connectTo(port);
    const parts: Buffer[] = [];
    socket.on('data', (part: Buffer) => parts.push(part));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.write(`GET ${path} HTTP/1.1\r\nHost: faults\r\nConnection: close\r\n\r\n`, 'latin1');
    await closed;
    const { messages, error } = parseMessages('response', Buffer.concat(parts));
    if (messages.length !== 1 || error !== null) {
      return { error: `raw: ${messages.length} message(s), ${error?.code ?? 'no error'}` };
    }
    const [res] = messages;
    return { status: res!.status!, body: Buffer.from(res!.body) };
  };
  const kinds: Record<ClientKind, (path: string) => Promise<Outcome>> = {
    undici: viaUndici,
    'node:http': viaNodeHttp,
    raw: viaRaw,
  };
  return {
    get: (kind, path) =>
      kinds[kind](path).catch((err: unknown) => ({
        error: `${kind}: ${(err as { code?: string }).code ?? ''} ${(err as Error).message}`,
      })),
    async close() {
      agent.destroy();
      await pool.destroy();
    },
  };
}
