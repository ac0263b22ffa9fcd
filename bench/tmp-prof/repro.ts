import { parseMessages } from '../../dist/parser/index.js';
const input = Buffer.from("DELETE / HTTP/1.1\r\nTransfer-Encoding:chunked\r\n\r\n0;=\r\n\r\nDELETE p://\n\r\n", 'latin1');
const whole = parseMessages('request', input);
const bytes = [...input].map((b) => Buffer.from([b]));
const split = parseMessages('request', bytes);
console.log(whole.error, whole.consumed, whole.messages.length);
console.log(split.error, split.consumed, split.messages.length);
