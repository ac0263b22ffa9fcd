/**
 * The clients under test, each on one connection to a fixed-response server
 * answering `ok`: httpwire ClientConn, undici's Client and a raw socket that
 * writes requests and counts response bytes. Each keeps `depth` requests in
 * flight until `stopped()` and calls `tally()` once per response read whole.
 */
import { once } from 'node:events';
import net from 'node:net';
import { Client, type Dispatcher } from 'undici';
import { newClientConn, Request } from '../../dist/index.js';

/** ClientContender: `run` resolves once it has stopped and every request in flight is answered. */
export interface ClientContender {
  name: string;
  run(port: number, depth: number, tally: () => void, stopped: () => boolean): Promise<void>;
}

export const EXPECTED_BODY = 'ok';

/** FIXED_RESPONSE is what the server writes for every request. */
export const FIXED_RESPONSE = `HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n${EXPECTED_BODY}`;

/**
 * httpwire: at depth 1 `do()` and read the body. Deeper, `depth` writes go
 * out at once and one loop reads the responses in order, reading each body
 * before the next `read` (which would discard an unread one) and writing a
 * new request for each response read.
 */
const httpwire: ClientContender = {
  name: 'httpwire ClientConn',
  async run(port, depth, tally, stopped) {
    const socket = await connect(port);
    const conn = newClientConn(socket);
    const url = `http://127.0.0.1:${port}/`;
    if (depth === 1) {
      await loops(1, stopped, async () => {
        const res = await conn.do(new Request('GET', url));
        check(res.status, await res.body!.text());
        tally();
      });
    } else {
      const inFlight: Request[] = [];
      const send = () => {
        const req = new Request('GET', url);
        inFlight.push(req);
        conn.write(req).catch(() => {}); // a failed write fails its read below
      };
      for (let i = 0; i < depth; i++) send();
      while (inFlight.length > 0) {
        const res = await conn.read(inFlight.shift()!);
        check(res.status, await res.body!.text());
        tally();
        if (!stopped()) send();
      }
    }
    conn.close();
  },
};

/**
 * undici: at depth 1 `request()` and read the body; deeper, a Client with
 * `pipelining: depth` and `depth` loops of non-blocking `dispatch()`.
 */
const undici: ClientContender = {
  name: 'undici Client',
  async run(port, depth, tally, stopped) {
    const origin = `http://127.0.0.1:${port}`;
    const client = new Client(origin, depth > 1 ? { pipelining: depth } : {});
    const one =
      depth > 1
        ? () => dispatch(client).then(([status, body]) => check(status, body))
        : async () => {
            const { statusCode, body } = await client.request({ path: '/', method: 'GET' });
            check(statusCode, await body.text());
          };
    await loops(depth, stopped, async () => {
      await one();
      tally();
    });
    await client.close();
  },
};

function dispatch(client: Client): Promise<[number, string]> {
  return new Promise((resolve, reject) => {
    let status = 0;
    let body = '';
    const handler: Dispatcher.DispatchHandlers = {
      onConnect() {},
      onHeaders(statusCode) {
        status = statusCode;
        return true;
      },
      onData(chunk) {
        body += chunk.toString('latin1');
        return true;
      },
      onComplete() {
        resolve([status, body]);
      },
      onError: reject,
    };
    client.dispatch({ path: '/', method: 'GET', blocking: false }, handler);
  });
}

/**
 * raw: the floor for a client. It writes `depth` requests, then one more
 * for every response whose last byte arrives, and parses nothing.
 */
const raw: ClientContender = {
  name: 'raw socket',
  async run(port, depth, tally, stopped) {
    const socket = await connect(port);
    const request = Buffer.from(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`, 'latin1');
    const batches: Buffer[] = [];
    const batch = (n: number) => (batches[n] ??= Buffer.concat(Array(n).fill(request)));
    const size = FIXED_RESPONSE.length;
    let inFlight = depth;
    let partial = 0; // bytes of a response received so far
    socket.write(batch(depth));
    await new Promise<void>((resolve) => {
      socket.on('data', (chunk: Buffer) => {
        const bytes = partial + chunk.length;
        const complete = Math.floor(bytes / size);
        partial = bytes - complete * size;
        inFlight -= complete;
        for (let i = 0; i < complete; i++) tally();
        if (!stopped()) {
          if (complete > 0) socket.write(batch(complete));
          inFlight += complete;
        } else if (inFlight === 0) {
          resolve();
        }
      });
    });
    socket.destroy();
  },
};

export const CLIENT_CONTENDERS: readonly ClientContender[] = [httpwire, undici, raw];

async function connect(port: number): Promise<net.Socket> {
  const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
  await once(socket, 'connect');
  return socket;
}

/** loops runs `depth` copies of `one` back to back until `stopped()`. */
async function loops(depth: number, stopped: () => boolean, one: () => Promise<void>) {
  await Promise.all(
    Array.from({ length: depth }, async () => {
      while (!stopped()) await one();
    }),
  );
}

function check(status: number, body: string): void {
  if (status !== 200 || body !== EXPECTED_BODY) {
    throw new Error(`unexpected response: ${status} ${JSON.stringify(body)}`);
  }
}
