/** Wire text sized to a limit, for the limit tests. */

/** fieldLines returns `n` header (or trailer) lines `X-F<i>: v\r\n`. */
export function fieldLines(n: number): string {
  let lines = '';
  for (let i = 0; i < n; i++) lines += `X-F${i}: v\r\n`;
  return lines;
}

/** requestLine returns a GET request line exactly `bytes` long, CRLF included: `GET /aaa… HTTP/1.1\r\n`. */
export function requestLine(bytes: number): string {
  return `GET /${'a'.repeat(bytes - 16)} HTTP/1.1\r\n`;
}
