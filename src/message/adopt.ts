import type { Header } from './header.js';

/**
 * ADOPT keys the parts of a message built from a parsed head, which the
 * Request and Response constructors take as they are instead of copying
 * the user's init (a connection builds one message per exchange).
 */
export const ADOPT = Symbol('adopt');

/** Adopted: header and trailer a constructor keeps without copying. */
export interface Adopted {
  readonly header: Header;
  readonly trailer: Header;
}

/** AdoptingInit: an init that may carry adopted parts under `ADOPT`. */
export type AdoptingInit<T> = T & { readonly [ADOPT]?: Adopted };
