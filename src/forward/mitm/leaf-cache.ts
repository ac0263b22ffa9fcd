/**
 * LeafCache keeps issued values by name, least recently used first, at
 * most `limit` of them, each for `ttl` milliseconds. `get` shares one
 * issuance among concurrent callers for a name; a failed issuance is not
 * kept, so the next call tries again.
 */
export class LeafCache<T> {
  readonly #limit: number;
  readonly #ttl: number;
  readonly #entries = new Map<string, { value: Promise<T>; expires: number }>(); // oldest use first

  constructor(limit: number, ttl: number) {
    this.#limit = limit;
    this.#ttl = ttl;
  }

  /** size is the number of names kept (issued or being issued). */
  get size(): number {
    return this.#entries.size;
  }

  /** get returns the value kept for `name` or the one `issue` makes, keeping it. */
  get(name: string, issue: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const entry = this.#entries.get(name);
    if (entry !== undefined) {
      this.#entries.delete(name);
      if (entry.expires > now) {
        this.#entries.set(name, entry); // most recently used
        return entry.value;
      }
    }
    const value = issue();
    const fresh = { value, expires: now + this.#ttl };
    this.#entries.set(name, fresh);
    value.catch(() => {
      if (this.#entries.get(name) === fresh) this.#entries.delete(name);
    });
    if (this.#entries.size > this.#limit) {
      const oldest = this.#entries.keys().next().value!;
      this.#entries.delete(oldest);
    }
    return value;
  }
}
