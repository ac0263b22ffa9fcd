/** What the backend serves and the bench checks: shared by the children and the bench. */

/** HELLO: the body of `GET /`. */
export const HELLO = 'hello world';

/** BIG_PATH serves BIG_BODY_BYTES (100 MiB) of `x`. */
export const BIG_PATH = '/big';
export const BIG_BODY_BYTES = 100 * 2 ** 20;
