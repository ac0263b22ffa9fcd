/**
 * A tiny forward proxy on node:http for tests of clients that use proxies:
 * absolute-form requests are forwarded with node:http, CONNECT is piped to
 * the target. It records what it saw and can be told to refuse.
 */
import { once } from 'node:events';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';

/** Seen: one request the proxy received. */
export interface Seen {
  method: string;
  /** The request-target as written: absolute form or `host:port`. */
  target: string;
  proxyAuthorization: string | undefined;
  /** The proxy's own count of the client connection it came on (1, 2, ...). */
  connection: number;
}

/** TinyProxy: a running test proxy. */
export interface TinyProxy {
  /** `http://127.0.0.1:port`. */
  url: string;
  port: number;
  seen: Seen[];
  /** Client connections accepted so far. */
  connections(): number;
  /** refuse answers every later CONNECT (or, with `all`, every request) with `status` when set. */
  refuseWith: { status: number; all?: boolean } | null;
  /** Close the proxy and every connection it holds. */
  close(): Promise<void>;
}

/** startTinyProxy starts the proxy on 127.0.0.1 on a free port. */
export async function startTinyProxy(): Promise<TinyProxy> {
  const sockets = new Set<Socket>();
  const ids = new WeakMap<Socket, number>();
  let accepted = 0;
  const seen: Seen[] = [];
  const proxy: TinyProxy = {
    url: '',
    port: 0,
    seen,
    connections: () => accepted,
    refuseWith: null,
    close: async () => {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
  const record = (req: IncomingMessage) =>
    seen.push({
      method: req.method!,
      target: req.url!,
      proxyAuthorization: req.headers['proxy-authorization'],
      connection: ids.get(req.socket) ?? 0,
    });
  const server: Server = createServer({ keepAliveTimeout: 10_000 }, (req, res) => {
    record(req);
    const refuse = proxy.refuseWith;
    if (refuse?.all === true) {
      res.writeHead(refuse.status, { 'Proxy-Authenticate': 'Basic realm="test"' }).end();
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const out = request(req.url!, { method: req.method, headers }, (back) => {
      res.writeHead(back.statusCode!, back.headers);
      back.pipe(res);
    });
    out.on('error', () => res.writeHead(502).end());
    req.pipe(out);
  });
  server.on('connection', (socket: Socket) => {
    ids.set(socket, ++accepted);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    record(req);
    const refuse = proxy.refuseWith;
    if (refuse !== null) {
      client.end(
        `HTTP/1.1 ${refuse.status} Refused\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 4\r\n\r\nnope`,
      );
      return;
    }
    const colon = req.url!.lastIndexOf(':');
    const host = req.url!.slice(0, colon).replace(/^\[|\]$/g, '');
    const target = connect(Number(req.url!.slice(colon + 1)), host, () => {
      client.write('HTTP/1.1 200 Connection established\r\n\r\n');
      if (head.length > 0) target.write(head);
      target.pipe(client);
      client.pipe(target);
    });
    sockets.add(target);
    target.on('close', () => sockets.delete(target));
    target.on('error', () => client.destroy());
    client.on('error', () => target.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  proxy.port = (server.address() as AddressInfo).port;
  proxy.url = `http://127.0.0.1:${proxy.port}`;
  return proxy;
}
