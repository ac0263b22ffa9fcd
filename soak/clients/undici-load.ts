/**
 * Requests through an undici Pool or Client (keep-alive, pipelined when the
 * dispatcher allows it). Uploads are streams, with Content-Length or
 * chunked; giving up is the request's AbortSignal.
 */
import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { BodyCheck } from '../pattern.js';
import { ID_HEADER, methodOf, type Plan, targetOf } from '../routes.js';
import { bodyError, type Control, downloadAbortDue, type Exchange, headError } from '../outcome.js';
import { givesUpUpload, uploadPieces } from './upload.js';

/** undiciExchange makes each request with `dispatcher.request`. */
export function undiciExchange(dispatcher: Dispatcher): Exchange {
  return async (plan, control) => {
    const method = methodOf(plan);
    const headers: Record<string, string> = { [ID_HEADER]: String(plan.id) };
    if (method === 'POST' && !plan.uploadChunked) headers['content-length'] = String(plan.length);
    const res = await dispatcher.request({
      path: targetOf(plan),
      method,
      headers,
      body: method === 'POST' ? Readable.from(upload(plan, control), { objectMode: false }) : null,
      signal: control.signal,
    });
    const wrong = headError(plan, res.statusCode, res.headers[ID_HEADER]);
    if (wrong !== null) {
      await res.body.dump();
      return wrong;
    }
    const check = new BodyCheck(plan.id, plan.length);
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      if (!check.add(chunk)) return 'wrong body';
      if (downloadAbortDue(plan, check)) {
        control.giveUp();
        return null;
      }
    }
    return bodyError(check);
  };
}

/** upload sends `plan`'s body; a plan that gives up mid-upload aborts instead of ending it. */
async function* upload(plan: Plan, control: Control): AsyncGenerator<Buffer> {
  yield* uploadPieces(plan);
  if (givesUpUpload(plan)) {
    control.giveUp();
    throw control.signal.reason;
  }
}
