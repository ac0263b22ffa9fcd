/**
 * Child entry: `client-load.ts <contender> <depth> <port> <warmupMs> <measureMs>`
 * runs one client contender (client-contenders.ts) against the server at
 * 127.0.0.1:`port`, warms up, then counts responses and this process's CPU
 * time over the measured window and prints one JSON line: `ClientLoadResult`.
 */
import { CLIENT_CONTENDERS } from './client-contenders.js';

/** ClientLoadResult: what one measured window gave. */
export interface ClientLoadResult {
  requests: number;
  seconds: number;
  /** User plus system CPU time of the client process per request, in µs. */
  cpuMicrosPerRequest: number;
}

const [name, depth, port, warmupMs, measureMs] = process.argv.slice(2);
const contender = CLIENT_CONTENDERS.find((c) => c.name === name);
if (contender === undefined) throw new Error(`no client contender named ${name}`);

let responses = 0;
let stopped = false;
let start: { responses: number; time: bigint; cpu: NodeJS.CpuUsage } | null = null;
let result: ClientLoadResult | null = null;

setTimeout(() => {
  start = { responses, time: process.hrtime.bigint(), cpu: process.cpuUsage() };
  setTimeout(() => {
    const cpu = process.cpuUsage(start!.cpu);
    const requests = responses - start!.responses;
    result = {
      requests,
      seconds: Number(process.hrtime.bigint() - start!.time) / 1e9,
      cpuMicrosPerRequest: (cpu.user + cpu.system) / requests,
    };
    stopped = true;
  }, Number(measureMs));
}, Number(warmupMs));

await contender.run(
  Number(port),
  Number(depth),
  () => responses++,
  () => stopped,
);
process.stdout.write(`${JSON.stringify(result)}\n`);
