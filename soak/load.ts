/**
 * The load generator: a fixed set of clients, each with a fixed number of
 * workers that make one request after another until the run is over.
 * Aborts on purpose only go to clients that do not pipeline: an abandoned
 * request on a pipelined connection takes the requests queued behind it
 * down with it, which would be our doing, not the proxy's.
 */
import http from 'node:http';
import { Client, Pool } from 'undici';
import { nodeHttpExchange } from './clients/node-http-load.js';
import { pipelinedLoop } from './clients/raw-pipelined-load.js';
import { undiciExchange } from './clients/undici-load.js';
import { attempt, type Exchange } from './outcome.js';
import type { Mix, Planner } from './planner.js';
import type { Stats } from './stats.js';

/** ABORT_SHARE: the share of requests that aborting clients give up on purpose. */
const ABORT_SHARE = 0.05;

const EVERYTHING: Mix = { getOnly: false, abortShare: 0 };
const WITH_ABORTS: Mix = { getOnly: false, abortShare: ABORT_SHARE };
const GETS: Mix = { getOnly: true, abortShare: 0 };

/** ClientSpec: one client of the load, how many workers share it and what they ask. */
interface ClientSpec {
  name: string;
  workers: number;
  mix: Mix;
  /** Null for the raw pipelining sockets, which run their own loop. */
  exchange: Exchange | null;
}

/**
 * Load: the clients of one run against the proxy on 127.0.0.1:`port`.
 * `describe()` lists them; `run()` drives them until `running()` is false,
 * lets every request in flight finish and closes every client.
 */
export class Load {
  readonly #pool: Pool;
  readonly #client: Client;
  readonly #abortingPool: Pool;
  readonly #agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  readonly #specs: ClientSpec[];
  readonly #port: number;

  constructor(port: number) {
    const origin = `http://127.0.0.1:${port}`;
    this.#port = port;
    this.#pool = new Pool(origin, { connections: 4, pipelining: 6 });
    this.#client = new Client(origin, { pipelining: 8 });
    this.#abortingPool = new Pool(origin, { connections: 4, pipelining: 1 });
    this.#specs = [
      {
        name: 'undici Pool, 4 connections, pipelining 6',
        workers: 16,
        mix: EVERYTHING,
        exchange: undiciExchange(this.#pool),
      },
      {
        name: 'undici Client, 1 connection, pipelining 8',
        workers: 8,
        mix: EVERYTHING,
        exchange: undiciExchange(this.#client),
      },
      {
        name: `undici Pool, 4 connections, no pipelining, ${ABORT_SHARE * 100}% aborts`,
        workers: 4,
        mix: WITH_ABORTS,
        exchange: undiciExchange(this.#abortingPool),
      },
      {
        name: `node:http keep-alive Agent, 4 sockets, ${ABORT_SHARE * 100}% aborts`,
        workers: 4,
        mix: WITH_ABORTS,
        exchange: nodeHttpExchange(port, this.#agent),
      },
      {
        name: `node:http Connection: close (agent: false), ${ABORT_SHARE * 100}% aborts`,
        workers: 2,
        mix: WITH_ABORTS,
        exchange: nodeHttpExchange(port, false),
      },
      {
        name: 'raw sockets pipelining 4-8 GETs per write, 1-5 writes per connection',
        workers: 2,
        mix: GETS,
        exchange: null,
      },
    ];
  }

  /** describe lists the clients, one line each: workers and kind. */
  describe(): string[] {
    return this.#specs.map((s) => `${String(s.workers).padStart(3)} x ${s.name}`);
  }

  /** run drives every worker until `running()` is false, then closes the clients. */
  async run(planner: Planner, stats: Stats, running: () => boolean): Promise<void> {
    const record = stats.record.bind(stats);
    const loops = this.#specs.flatMap((spec) =>
      Array.from({ length: spec.workers }, async () => {
        const next = () => planner.next(spec.mix);
        if (spec.exchange === null) return pipelinedLoop(this.#port, next, record, running);
        while (running()) record(await attempt(next(), spec.exchange));
      }),
    );
    try {
      await Promise.all(loops);
    } finally {
      await Promise.all([this.#pool.close(), this.#client.close(), this.#abortingPool.close()]);
      this.#agent.destroy();
    }
  }
}
