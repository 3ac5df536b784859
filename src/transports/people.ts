/**
 * Who is calling, and what they get: each token maps to one person whose ServerDeps carry
 * their name as ledger owner, their daily budget, and their providers: connected with their
 * own keys where the tokens file names one, the server's otherwise. Deps are built once at
 * start, so a request only costs a hash.
 */
import { envValue, type ServerConfig } from "../config.js";
import type { ServerDeps } from "../generation/context.js";
import { Lifecycle } from "../lifecycle.js";
import type { Logger } from "../log.js";
import type { AnyTool } from "../mcp/server.js";
import type { Providers } from "../providers/registry.js";
import type { Provider } from "../providers/types.js";
import type { Store } from "../store/types.js";
import { Semaphore } from "./semaphore.js";
import { matchToken, type StoredToken, storedTokens, type TokenEntry } from "./tokens.js";

/** URL fetches (upload_reference with `url`) one person may run at once; others wait. */
export const URL_FETCHES_PER_PERSON = 2;

export interface Person {
  name: string;
  deps: ServerDeps;
  /** The tools this server offers (tests serve extra providers' models). */
  tools?: readonly AnyTool[] | undefined;
}

/** A token's own provider keys: provider id → the environment variable that holds the key. */
export function keyEnvsOf(t: TokenEntry): [providerId: string, env: string][] {
  const envs: [string, string][] = [];
  if (t.rivya_key_env) envs.push(["rivya", t.rivya_key_env]);
  if (t.evolink_key_env) envs.push(["evolink", t.evolink_key_env]);
  return envs;
}

/** The personal keys the tokens file points at; refuses to start on a missing one. */
export function personalKeys(
  entries: readonly TokenEntry[],
  env: NodeJS.ProcessEnv,
): Map<string, string> {
  const keys = new Map<string, string>();
  for (const t of entries) {
    for (const [provider, name] of keyEnvsOf(t)) {
      const key = envValue(env, name);
      if (!key)
        throw new Error(
          `token '${t.name}' uses the ${provider} key in $${name}, which is not set; set it or remove ${provider}_key_env from the tokens file`,
        );
      keys.set(name, key);
    }
  }
  return keys;
}

/** The tokens file's entries, with the personal keys they name resolved (personalKeys). */
export interface Team {
  entries: readonly TokenEntry[];
  /** Provider key by environment variable name. */
  keys: ReadonlyMap<string, string>;
}

export interface PeopleOptions {
  /** Undefined: no tokens file, everyone is "local" (loopback only). */
  tokens: Team | undefined;
  /** The server's own providers (RIVYA_API_KEY, EVOLINK_API_KEY), for people without keys of their own. */
  providers: Providers;
  connect: (providerId: string, apiKey: string) => Provider;
  store: Store;
  config: ServerConfig;
  log: Logger;
  /** Default: the shipped tools, built from the shipped providers' models. */
  tools?: readonly AnyTool[] | undefined;
}

export class People {
  private readonly stored: StoredToken[];
  private readonly byName = new Map<string, Person>();
  /** One provider per personal key ("provider:ENV_NAME"), shared by the tokens that name it. */
  private readonly own = new Map<string, Provider>();
  /** Everyone is "local" when there is no tokens file (loopback only). */
  readonly open: boolean;
  /** Tool calls still running (a client that hung up leaves its call running) and the stop signal. */
  readonly lifecycle = new Lifecycle();

  constructor(opts: PeopleOptions) {
    const entries = opts.tokens?.entries ?? [];
    this.stored = storedTokens(entries);
    this.open = opts.tokens === undefined;
    const person = (name: string, providers: Providers, budget: number | undefined): Person => ({
      name,
      tools: opts.tools,
      deps: {
        providers,
        owner: name,
        store: opts.store,
        dailyBudget: budget,
        config: opts.config,
        log: opts.log.child({ person: name }),
        urlFetchSlots: new Semaphore(URL_FETCHES_PER_PERSON),
        lifecycle: this.lifecycle,
      },
    });
    if (this.open)
      this.byName.set("local", person("local", opts.providers, opts.config.dailyBudget));
    const keys = opts.tokens?.keys ?? new Map<string, string>();
    for (const t of entries) {
      const own = keyEnvsOf(t).flatMap(([providerId, env]) => {
        const key = keys.get(env);
        if (!key) return [];
        const id = `${providerId}:${env}`;
        const provider = this.own.get(id) ?? opts.connect(providerId, key);
        this.own.set(id, provider);
        return [provider];
      });
      // A token without its own budget falls back to the server-wide --daily-budget.
      const budget = t.daily_budget ?? opts.config.dailyBudget;
      this.byName.set(t.name, person(t.name, opts.providers.with(own), budget));
    }
  }

  /** The person a ledger owner names (for callbacks, which carry no token). */
  person(name: string): Person | undefined {
    return this.byName.get(name);
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
    await Promise.all([...this.own.values()].map((p) => p.close().catch(() => {})));
  }
}
