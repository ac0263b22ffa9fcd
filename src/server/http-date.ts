let cachedSecond = -1;
let cachedDate = '';

/**
 * httpDate returns the current time as an HTTP date (RFC 9110 §5.6.7,
 * `Sun, 06 Nov 1994 08:49:37 GMT`) for a `Date` header. The string is made
 * once per second, as node:http does, not once per response.
 */
export function httpDate(): string {
  const second = Math.floor(Date.now() / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedDate = new Date(second * 1000).toUTCString();
  }
  return cachedDate;
}
