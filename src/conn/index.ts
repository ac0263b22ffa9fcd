export { ClientConn, newClientConn, newProxyClientConn, type ReadOptions } from './client-conn.js';
export type { ConnOptions } from './conn-options.js';
export { newServerConn, ServerConn, type ServerReadOptions } from './server-conn.js';
