/**
 * Fault injection on the backend side of the ReverseProxy: 2 000 requests
 * from real clients (undici, node:http, raw sockets) through the proxy to
 * a backend that, per request, answers properly or fails in one of the
 * ways of fault-plan.ts, chosen by a seeded PRNG (FAULT_SEED replays a run;
 * the seed is in the test name). Every request must end in exactly one of:
 * its own complete response, a 502/504, or a connection closed without a
 * complete response — never a truncated body taken for a whole one, never
 * a response meant for another request, never an unhandled rejection —
 * and afterwards every socket, timer and listener is gone.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Transport } from '../../src/transport/transport.js';
import { cleanup, startProxy } from '../e2e/e2e-harness.js';
import { expectNoLeaks } from '../helpers/leaks.js';
import { settles, within } from '../helpers/waiting.js';
import { startFaultBackend } from './fault-backend.js';
import { CLIENT_KINDS, faultClients, type Outcome } from './fault-clients.js';
import { bodyOf, type Fault, FAULTS, idOf, pathOf, planFaults, SEED } from './fault-plan.js';
import { refusingPort } from './refusing-port.js';

afterEach(cleanup);

const REQUESTS = 2000;
const CONCURRENCY = 18;
const CONNECTIONS_PER_CLIENT = 6;
const RESPONSE_HEADER_TIMEOUT = 300;

/**
 * Verdict: how a request ended, as the issue counts it: its own complete
 * response, a 502 (the backend failed before the head), a 504 (no head
 * within the response header timeout), or a connection cut without a
 * complete response. `wrong` and `hung` must never happen.
 */
type Verdict = 'complete' | '502' | '504' | 'cut' | 'wrong' | 'hung';

/**
 * What each fault may end in. A fault before the response head is a 502;
 * a fault after it cuts the client connection, never ending the body
 * cleanly (go#23643); the unsolicited response goes with its connection.
 * Any request may see a 504 on a loaded machine (the timer can fire before
 * a head that is already in the socket buffer is read), except one that
 * never reached a backend; a backend that answers never gets a 502.
 */
const EXPECTED: Record<Fault, readonly Verdict[]> = {
  ok: ['complete', '504'],
  okChunked: ['complete', '504'],
  unsolicited: ['complete', '504'],
  refused: ['502'],
  resetBeforeHead: ['502', '504'],
  resetMidHead: ['502', '504'],
  stall: ['504'],
  badStatusLine: ['502', '504'],
  lengthAndChunked: ['502', '504'],
  resetMidBody: ['cut', '504'],
  resetMidChunkedBody: ['cut', '504'],
  // The error may be read with the head (a 502) or after it went out (a cut).
  badChunkSize: ['502', 'cut', '504'],
};

/** gatewayStatus answers a failed round trip as the issue asks: 504 for a timeout, 502 for anything else. */
function gatewayStatus(err: unknown): number {
  return (err as { code?: unknown } | null)?.code === 'ERR_RESPONSE_HEADER_TIMEOUT' ? 504 : 502;
}

function verdictOf(id: number, outcome: Outcome | null): { verdict: Verdict; detail: string } {
  if (outcome === null) return { verdict: 'hung', detail: 'no outcome within 10 s' };
  if ('error' in outcome) return { verdict: 'cut', detail: outcome.error };
  const { status, body } = outcome;
  const detail = `${status} with ${body.length} bytes: ${body.subarray(0, 24).toString('latin1')}`;
  if (status === 200 && body.equals(bodyOf(id))) return { verdict: 'complete', detail };
  if ((status === 502 || status === 504) && body.length === 0) {
    return { verdict: status === 502 ? '502' : '504', detail };
  }
  return { verdict: 'wrong', detail };
}

describe(`ReverseProxy under backend faults (FAULT_SEED=${SEED})`, () => {
  it(
    `gives each of ${REQUESTS} requests its own complete response, a 502/504 or a cut connection, and leaks nothing`,
    () =>
      expectNoLeaks(async () => {
        const plan = planFaults(SEED, REQUESTS);
        const backend = await startFaultBackend((id) => plan[id]!);
        const refusing = await refusingPort();
        const transport = new Transport({
          responseHeaderTimeout: RESPONSE_HEADER_TIMEOUT,
          maxIdleConnsPerHost: 32,
        });
        const proxy = await startProxy(backend.origin, {
          transport,
          errorHandler(rw, _req, err) {
            proxy.logs.push(`proxy error: ${(err as Error).message}`);
            rw.writeHeader(gatewayStatus(err));
          },
        });
        const toBackend = proxy.proxy.director!;
        proxy.proxy.director = (out) => {
          toBackend(out);
          if (plan[idOf(out.url.path)] === 'refused') {
            out.url = { ...out.url, host: `127.0.0.1:${refusing.port}` };
          }
        };
        const clients = faultClients(proxy.port, CONNECTIONS_PER_CLIENT);
        const rejections: unknown[] = [];
        const onRejection = (reason: unknown) => rejections.push(reason);
        process.on('unhandledRejection', onRejection);

        const results: { id: number; fault: Fault; verdict: Verdict; detail: string }[] = [];
        let next = 0;
        const worker = async () => {
          while (next < REQUESTS) {
            const id = next++;
            const kind = CLIENT_KINDS[id % CLIENT_KINDS.length]!;
            const outcome = await within(clients.get(kind, pathOf(id)), 10_000).catch(() => null);
            results.push({ id, fault: plan[id]!, ...verdictOf(id, outcome) });
          }
        };
        let backendLeftOpen = -1;
        try {
          await Promise.all(Array.from({ length: CONCURRENCY }, worker));
        } finally {
          process.off('unhandledRejection', onRejection);
          await clients.close();
          transport.close();
          await cleanup();
          await settles(() => backend.connections() === 0);
          backendLeftOpen = backend.connections();
          await refusing.close();
          await backend.close();
        }

        const unexpected = results
          .filter(({ fault, verdict }) => !EXPECTED[fault].includes(verdict))
          .map(
            ({ id, fault, verdict, detail }) =>
              `#${id} ${fault} (${FAULTS[fault].does}): ${verdict}, ${detail}`,
          );
        expect(unexpected, `replay with FAULT_SEED=${SEED}`).toEqual([]);
        expect(results).toHaveLength(REQUESTS);
        expect(rejections, 'unhandled rejections').toEqual([]);
        expect(backend.errors).toEqual([]);
        expect(proxy.logs.filter((line) => line.includes('handler error'))).toEqual([]);
        expect(backendLeftOpen, 'backend connections the proxy left open').toBe(0);
        // Every fault reached the backend, but the diverted requests.
        const faults = Object.keys(FAULTS) as Fault[];
        expect(faults.filter((fault) => (backend.seen.get(fault) ?? 0) === 0)).toEqual(['refused']);
      }),
    60_000,
  );
});
