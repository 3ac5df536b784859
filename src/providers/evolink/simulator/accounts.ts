/** Keys and balances, and the per-model token bucket (evolink-api.md §15). */
import { TokenBucket } from "../../../net/token-bucket.js";
import { SimRequestError } from "./validate.js";

export interface SimAccount {
  key: string;
  remaining: number;
  used: number;
  /** `undefined`: every model. */
  models: readonly string[] | undefined;
}

export interface AccountSeed {
  key: string;
  credits?: number;
  models?: readonly string[];
}

export class SimAccounts {
  private readonly byKey = new Map<string, SimAccount>();

  constructor(
    seeds: readonly AccountSeed[],
    private readonly startingCredits: number,
    /** With no seeds any bearer key gets an account, up to this many (bounded memory). */
    private readonly maxOpenAccounts: number,
  ) {
    for (const s of seeds)
      this.byKey.set(s.key, {
        key: s.key,
        remaining: s.credits ?? startingCredits,
        used: 0,
        models: s.models,
      });
  }

  authenticate(header: string | undefined, open: boolean): SimAccount {
    const key = /^Bearer (\S+)$/.exec(header ?? "")?.[1];
    const known = key === undefined ? undefined : this.byKey.get(key);
    if (known) return known;
    if (key && open && this.byKey.size < this.maxOpenAccounts) {
      const account = { key, remaining: this.startingCredits, used: 0, models: undefined };
      this.byKey.set(key, account);
      return account;
    }
    throw new SimRequestError(
      401,
      "unauthorized",
      "authentication_error",
      "Invalid or missing API key",
    );
  }

  get count(): number {
    return this.byKey.size;
  }

  find(key: string): SimAccount | undefined {
    return this.byKey.get(key);
  }
}

/** Token bucket per model on the simulator's clock; 429 with no Retry-After by default. */
export class ModelBuckets {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly perMinute: number) {}

  take(model: string, nowMs: number): boolean {
    let b = this.buckets.get(model);
    if (!b) {
      b = new TokenBucket(this.perMinute, { tokens: this.perMinute, everyMs: 60_000 }, nowMs);
      this.buckets.set(model, b);
    }
    return b.take(1, nowMs) === 0;
  }
}
