/** Default milliseconds from the first byte of a request (or the accept) until its head is complete. */
export const DEFAULT_HEADER_TIMEOUT = 30_000;
/** Default milliseconds a kept-alive connection may wait for the first byte of its next request. */
export const DEFAULT_IDLE_TIMEOUT = 60_000;
/** Default milliseconds without a byte from the client while a request body is incomplete. */
export const DEFAULT_BODY_TIMEOUT = 300_000;
