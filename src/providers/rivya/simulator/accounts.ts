/** API keys, accounts, scopes and the per-key token bucket (rivya-api.md §2, §15). */
import { TokenBucket } from "../../../net/token-bucket.js";
import { ApiError } from "../../../simulator-kit/http.js";
import type { AccountOptions, AccountStatus } from "./types.js";

/** Every documented v1 scope; new keys get all of them (rivya-api.md §2). */
export const ALL_SCOPES = [
  "models:read",
  "generations:create",
  "generations:read",
  "files:create",
  "files:read",
  "credits:read",
  "webhooks:manage",
  "chat:create",
  "chat:read",
] as const;

const KEY_PREFIX = "rvya_sk_";

export interface Account {
  key: string;
  credits: number;
  scopes: ReadonlySet<string>;
  status: AccountStatus;
  bucket: TokenBucket | null;
}

export interface AccountsConfig {
  startingCredits: number;
  acceptAnyKey: boolean;
  accounts: Record<string, AccountOptions>;
  rateLimit: { capacity: number; refillPerSecond: number } | null;
  /** Accounts created on first sight kept at most; the least recently used go first. */
  maxSeen: number;
}

/** What survives a restart; the rate-limit bucket starts full again. */
export interface SavedAccount {
  key: string;
  credits: number;
  scopes: string[];
  status: AccountStatus;
}

const unauthorized = (code: string, message: string) => new ApiError(401, code, message);

export class Accounts {
  /** Accounts from the options: never evicted. */
  private readonly configured = new Map<string, Account>();
  /** Accounts created on first sight, least recently used first (Map order). */
  private readonly seen = new Map<string, Account>();

  constructor(private readonly cfg: AccountsConfig) {
    for (const [key, o] of Object.entries(cfg.accounts)) {
      this.configured.set(key, newAccount(key, o.credits ?? cfg.startingCredits, o));
    }
  }

  get count(): number {
    return this.configured.size + this.seen.size;
  }

  /** The key's account, created on first sight when `acceptAnyKey` allows it. */
  find(key: string): Account | undefined {
    const configured = this.configured.get(key);
    if (configured) return configured;
    const known = this.seen.get(key);
    if (known) {
      // Re-inserting moves it to the most recently used end.
      this.seen.delete(key);
      this.seen.set(key, known);
      return known;
    }
    if (!this.cfg.acceptAnyKey || !isWellFormed(key)) return undefined;
    return this.remember(newAccount(key, this.cfg.startingCredits));
  }

  private remember(account: Account): Account {
    this.seen.set(account.key, account);
    for (const oldest of this.seen.keys()) {
      if (this.seen.size <= this.cfg.maxSeen) break;
      this.seen.delete(oldest);
    }
    return account;
  }

  save(): SavedAccount[] {
    return [...this.configured.values(), ...this.seen.values()].map((a) => ({
      key: a.key,
      credits: a.credits,
      scopes: [...a.scopes],
      status: a.status,
    }));
  }

  /** Restores saved balances; configured accounts keep their configured scopes and status. */
  load(saved: readonly SavedAccount[]): void {
    for (const s of saved) {
      const configured = this.configured.get(s.key);
      if (configured) configured.credits = s.credits;
      else this.remember(newAccount(s.key, s.credits, s));
    }
  }

  /** Resolves the Bearer key of a request to an account allowed `scope`, or throws 401/403. */
  authenticate(authorization: string | undefined, scope: string): Account {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
    if (!match?.[1]) {
      throw unauthorized(
        "api_key_missing",
        "send the API key as `Authorization: Bearer rvya_sk_...`",
      );
    }
    const account = this.find(match[1]);
    if (!account) throw unauthorized("api_key_invalid", "the API key is not valid for any account");
    if (account.status === "revoked") {
      throw unauthorized(
        "api_key_revoked",
        "the API key was revoked; create a new one in Settings",
      );
    }
    if (account.status === "expired") {
      throw unauthorized(
        "api_key_expired",
        "the API key has expired; create a new one in Settings",
      );
    }
    if (!account.scopes.has(scope)) {
      throw new ApiError(403, "api_scope_denied", `the API key lacks the scope ${scope}`);
    }
    return account;
  }

  /** Takes one token from the key's bucket, refilled continuously; 429 when empty. */
  takeToken(account: Account, now: number): void {
    const limit = this.cfg.rateLimit;
    if (!limit) return;
    const refill = { tokens: limit.refillPerSecond, everyMs: 1000 };
    account.bucket ??= new TokenBucket(limit.capacity, refill, now);
    const missing = account.bucket.take(1, now);
    if (missing === 0) return;
    const wait = limit.refillPerSecond > 0 ? Math.ceil(missing / limit.refillPerSecond) : 60;
    throw new ApiError(429, "rate_limited", "too many requests for this API key; retry later", {
      "retry-after": String(Math.max(1, wait)),
    });
  }
}

/** A fresh account; every scope and active unless `o` says otherwise. */
function newAccount(key: string, credits: number, o: AccountOptions = {}): Account {
  return {
    key,
    credits,
    scopes: new Set(o.scopes ?? ALL_SCOPES),
    status: o.status ?? "active",
    bucket: null,
  };
}

function isWellFormed(key: string): boolean {
  return key.startsWith(KEY_PREFIX) && key.length > KEY_PREFIX.length;
}
