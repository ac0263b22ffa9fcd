export { type Handler, type HandlerFunc, type ResponseWriter, TrailerPrefix } from './handler.js';
export { createServer, Server, type ServerOptions } from './server.js';
