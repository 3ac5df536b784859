/**
 * `Idempotency-Key` handling for creates (rivya-api.md §15): scoped per API key, kept
 * 24 h, matched by a canonical body fingerprint. Same-key requests are serialised by a
 * per-key lock taken before the body is read, so a duplicate that arrives while the first
 * is still streaming or being handled waits and then replays the first's task.
 */
const RETENTION_MS = 24 * 60 * 60 * 1000;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

interface Entry {
  fingerprint: string;
  taskId: string;
  expiresAt: number;
}

export type Lookup = { kind: "new" } | { kind: "replay"; taskId: string } | { kind: "conflict" };

export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();
  private readonly locks = new Map<string, Promise<void>>();

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
    const entry = this.entries.get(scope);
    if (!entry || entry.expiresAt <= now) {
      this.entries.delete(scope);
      return { kind: "new" };
    }
    return entry.fingerprint === fingerprint
      ? { kind: "replay", taskId: entry.taskId }
      : { kind: "conflict" };
  }

  /** Only successful creates are remembered: a rejected request may be fixed and resent. */
  remember(scope: string, fingerprint: string, taskId: string, now: number): void {
    this.entries.set(scope, { fingerprint, taskId, expiresAt: now + RETENTION_MS });
  }
}
