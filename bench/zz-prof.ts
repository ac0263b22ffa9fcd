import { httpwireParser } from './parser/httpwire.ts';
import { browserRequests, smallGets } from './parser/samples.ts';
const s = process.argv[2] === 'small' ? smallGets() : browserRequests();
const run = httpwireParser.prepare(s.kind, s.chunks);
const end = Date.now() + 4000; let n = 0;
while (Date.now() < end) { for (let i = 0; i < 100; i++) n += run().length; }
console.log(n);
