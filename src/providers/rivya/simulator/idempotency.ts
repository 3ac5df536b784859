/**
 * `Idempotency-Key` handling for creates (rivya-api.md §15): scoped per API key, kept
 * 24 h, matched by a canonical body fingerprint. Same-key requests are serialised by a
 * per-key lock taken before the body is read, so a duplicate that arrives while the first
 * is still streaming or being handled waits and then replays the first's task.
 * Entries are held in expiry order, so expired ones are dropped from the front on every
 * use, and the oldest go early once there are more than `max`.
 */
const RETENTION_MS = 24 * 60 * 60 * 1000;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

export interface Entry {
  fingerprint: string;
  taskId: string;
  expiresAt: number;
}

export type Lookup = { kind: "new" } | { kind: "replay"; taskId: string } | { kind: "conflict" };

export class IdempotencyStore {
  /** Keyed by scope; insertion order is expiry order (one fixed retention). */
  private readonly entries = new Map<string, Entry>();
  private readonly locks = new Map<string, Promise<void>>();

  constructor(private readonly max: number) {}

  get count(): number {
    return this.entries.size;
  }

  /** Waits for earlier holders of `scope`; call the returned function to let the next one in. */
  async lock(scope: string): Promise<() => void> {
    const previous = this.locks.get(scope) ?? Promise.resolve();
    let release = () => {};
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    this.locks.set(scope, tail);
    await previous;
    return () => {
      release();
      if (this.locks.get(scope) === tail) this.locks.delete(scope);
    };
  }

  lookup(scope: string, fingerprint: string, now: number): Lookup {
    this.expire(now);
    const entry = this.entries.get(scope);
    if (!entry) return { kind: "new" };
    return entry.fingerprint === fingerprint
      ? { kind: "replay", taskId: entry.taskId }
      : { kind: "conflict" };
  }

  /** Only successful creates are remembered: a rejected request may be fixed and resent. */
  remember(scope: string, fingerprint: string, taskId: string, now: number): void {
    this.entries.delete(scope);
    this.entries.set(scope, { fingerprint, taskId, expiresAt: now + RETENTION_MS });
    this.expire(now);
  }

  /** A replayed key whose task was evicted counts as new: there is nothing to replay. */
  forget(scope: string): void {
    this.entries.delete(scope);
  }

  /** Drops expired entries and the oldest beyond `max`; O(entries dropped). */
  expire(now: number): void {
    for (const [scope, entry] of this.entries) {
      if (entry.expiresAt > now && this.entries.size <= this.max) break;
      this.entries.delete(scope);
    }
  }

  save(): [string, Entry][] {
    return [...this.entries];
  }

  load(saved: readonly [string, Entry][], now: number): void {
    for (const [scope, entry] of saved) this.entries.set(scope, entry);
    this.expire(now);
  }
}
