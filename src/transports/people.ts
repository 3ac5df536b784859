/**
 * Who is calling, and what they get: each token maps to one person whose ServerDeps carry
 * their name as ledger owner, their daily budget, and a Rivya client for their own key
 * when they have one. Deps are built once at start, so a request only costs a hash.
 */
import { envValue, type ServerConfig } from "../config.js";
import type { ServerDeps } from "../generation/context.js";
import { Lifecycle } from "../lifecycle.js";
import type { Logger } from "../log.js";
import type { RivyaClient } from "../providers/rivya/client.js";
import type { Store } from "../store/types.js";
import { Semaphore } from "./semaphore.js";
import { matchToken, type StoredToken, storedTokens, type TokenEntry } from "./tokens.js";

/** URL fetches (upload_reference with `url`) one person may run at once; others wait. */
export const URL_FETCHES_PER_PERSON = 2;

export interface Person {
  name: string;
  deps: ServerDeps;
}

/** The personal Rivya keys the tokens file points at; refuses to start on a missing one. */
export function personalKeys(
  entries: readonly TokenEntry[],
  env: NodeJS.ProcessEnv,
): Map<string, string> {
  const keys = new Map<string, string>();
  for (const t of entries) {
    if (!t.rivya_key_env) continue;
    const key = envValue(env, t.rivya_key_env);
    if (!key)
      throw new Error(
        `token '${t.name}' uses the Rivya key in $${t.rivya_key_env}, which is not set; set it or remove rivya_key_env from the tokens file`,
      );
    keys.set(t.rivya_key_env, key);
  }
  return keys;
}

/** The tokens file's entries, with the personal keys they name resolved (personalKeys). */
export interface Team {
  entries: readonly TokenEntry[];
  /** Rivya key by environment variable name. */
  keys: ReadonlyMap<string, string>;
}

export interface PeopleOptions {
  /** Undefined: no tokens file, everyone is "local" (loopback only). */
  tokens: Team | undefined;
  /** The server's own client (RIVYA_API_KEY), for people without a personal key. */
  client: RivyaClient;
  clientFor: (apiKey: string) => RivyaClient;
  store: Store;
  config: ServerConfig;
  log: Logger;
}

export class People {
  private readonly stored: StoredToken[];
  private readonly byName = new Map<string, Person>();
  /** One client per personal key (by environment variable name), shared by its tokens. */
  private readonly clients = new Map<string, RivyaClient>();
  /** Everyone is "local" when there is no tokens file (loopback only). */
  readonly open: boolean;
  /** Tool calls still running (a client that hung up leaves its call running) and the stop signal. */
  readonly lifecycle = new Lifecycle();

  constructor(opts: PeopleOptions) {
    const entries = opts.tokens?.entries ?? [];
    this.stored = storedTokens(entries);
    this.open = opts.tokens === undefined;
    for (const [env, key] of opts.tokens?.keys ?? []) this.clients.set(env, opts.clientFor(key));
    const person = (name: string, client: RivyaClient, budget: number | undefined): Person => ({
      name,
      deps: {
        client,
        owner: name,
        store: opts.store,
        dailyBudget: budget,
        config: opts.config,
        log: opts.log.child({ person: name }),
        urlFetchSlots: new Semaphore(URL_FETCHES_PER_PERSON),
        lifecycle: this.lifecycle,
      },
    });
    if (this.open) this.byName.set("local", person("local", opts.client, opts.config.dailyBudget));
    for (const t of entries) {
      const client = (t.rivya_key_env && this.clients.get(t.rivya_key_env)) || opts.client;
      // A token without its own budget falls back to the server-wide --daily-budget.
      this.byName.set(t.name, person(t.name, client, t.daily_budget ?? opts.config.dailyBudget));
    }
  }

  get count(): number {
    return this.byName.size;
  }

  /** The person behind an `Authorization: Bearer` header, or undefined to answer 401. */
  authenticate(header: string | undefined): Person | undefined {
    if (this.open) return this.byName.get("local");
    const match = /^Bearer[ \t]+(\S{1,512})[ \t]*$/i.exec(header ?? "");
    if (!match?.[1]) return undefined;
    const entry = matchToken(match[1], this.stored);
    return entry ? this.byName.get(entry.name) : undefined;
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((c) => c.close().catch(() => {})));
  }
}
