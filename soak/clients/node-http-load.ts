/**
 * Requests through node:http: with a keep-alive Agent, or with `agent:
 * false` (a connection per request, `Connection: close`). Uploads honour
 * back-pressure and are read back while they are still being sent, since
 * the backend echoes as it receives.
 */
import { once } from 'node:events';
import http from 'node:http';
import { BodyCheck } from '../pattern.js';
import { ID_HEADER, methodOf, type Plan, targetOf } from '../routes.js';
import { bodyError, type Control, downloadAbortDue, type Exchange, headError } from '../outcome.js';
import { givesUpUpload, uploadPieces } from './upload.js';

/** nodeHttpExchange makes each request with `http.request` to 127.0.0.1:`port` through `agent`. */
export function nodeHttpExchange(port: number, agent: http.Agent | false): Exchange {
  return async (plan, control) => {
    const method = methodOf(plan);
    const headers: Record<string, string> = { [ID_HEADER]: String(plan.id) };
    if (method === 'POST' && !plan.uploadChunked) headers['content-length'] = String(plan.length);
    const req = http.request({
      host: '127.0.0.1',
      port,
      method,
      path: targetOf(plan),
      headers,
      agent,
      signal: control.signal,
    });
    // Errors reach us through `once` and the body's iterator; a late one (after a give-up) is moot.
    req.on('error', () => undefined);
    const sending = method === 'POST' ? send(req, plan, control) : Promise.resolve(req.end());
    const [error] = await Promise.all([receive(req, plan, control), sending]);
    return error;
  };
}

async function receive(
  req: http.ClientRequest,
  plan: Plan,
  control: Control,
): Promise<string | null> {
  const [res] = (await once(req, 'response')) as [http.IncomingMessage];
  const wrong = headError(plan, res.statusCode ?? 0, res.headers[ID_HEADER]);
  if (wrong !== null) {
    res.resume();
    return wrong;
  }
  const check = new BodyCheck(plan.id, plan.length);
  for await (const chunk of res as AsyncIterable<Buffer>) {
    if (!check.add(chunk)) return 'wrong body';
    if (downloadAbortDue(plan, check)) {
      control.giveUp();
      return null;
    }
  }
  // A body that ended early without an error: node:http knows it is short.
  return res.complete ? bodyError(check) : 'response cut short';
}

/** send writes `plan`'s upload, waiting for `drain`, then ends it or gives up. */
async function send(req: http.ClientRequest, plan: Plan, control: Control): Promise<void> {
  for (const piece of uploadPieces(plan)) {
    if (req.destroyed) return;
    if (!req.write(piece)) await drainOrClose(req);
  }
  if (givesUpUpload(plan)) control.giveUp();
  else req.end();
}

function drainOrClose(req: http.ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      req.off('drain', done).off('close', done);
      resolve();
    };
    req.on('drain', done).on('close', done);
  });
}
