export type { RoundTripOptions, RoundTripper } from './round-tripper.js';
export { Transport, type TransportOptions } from './transport.js';
export { type WireFacts, wireFacts } from './wire-facts.js';
