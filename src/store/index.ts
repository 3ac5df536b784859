/**
 * The one place the store is chosen: the embedded file ledger in the state folder by
 * default, PostgreSQL when `--store postgres://…` or RIVYA_MCP_DATABASE_URL names one.
 * PostgreSQL's code (and `pg`) loads only when it is chosen.
 */
import { join } from "node:path";
import type { PostgresStoreOptions } from "./postgres-store.js";
import type { Store } from "./types.js";

export type StoreChoice = { kind: "file"; path: string } | { kind: "postgres"; url: string };

const POSTGRES_URL = /^postgres(ql)?:\/\//;

/** `--store` wins over RIVYA_MCP_DATABASE_URL; neither means the file ledger. Throws on a bad value. */
export function chooseStore(
  flag: string | undefined,
  envUrl: string | undefined,
  stateDir: string,
): StoreChoice {
  const value = flag ?? envUrl;
  if (value === undefined || value === "file")
    return { kind: "file", path: join(stateDir, "ledger.jsonl") };
  if (!POSTGRES_URL.test(value) || !URL.canParse(value)) {
    const from = flag === undefined ? "RIVYA_MCP_DATABASE_URL" : "--store";
    throw new Error(
      `${from} must be a PostgreSQL URL (postgres://user:password@host:5432/database, optionally ?schema=name) or 'file'; leave it out for the file ledger in the state folder`,
    );
  }
  return { kind: "postgres", url: value };
}

/** The password in a database URL, for the logger to scrub. */
export function storeSecrets(choice: StoreChoice): string[] {
  if (choice.kind !== "postgres") return [];
  const password = decodeURIComponent(new URL(choice.url).password);
  return password ? [password] : [];
}

export async function openStore(
  choice: StoreChoice,
  tuning: Omit<PostgresStoreOptions, "url"> = {},
): Promise<Store> {
  if (choice.kind === "file") {
    const { FileStore } = await import("./file-store.js");
    return FileStore.open({ path: choice.path });
  }
  const { PostgresStore } = await import("./postgres-store.js");
  return PostgresStore.open({ url: choice.url, ...tuning });
}

/** Applies the PostgreSQL migrations now (`rivya-mcp store migrate`). */
export async function migrateStore(url: string): Promise<number[]> {
  const { PostgresStore } = await import("./postgres-store.js");
  return PostgresStore.migrate({ url });
}

export interface StoreHealth {
  kind: "file" | "postgres";
  /** Resolves when the store can be used; rejects when its database cannot be reached. */
  check(): Promise<void>;
}

/** How long a database check answers /healthz, so a flood of probes is not a flood of queries. */
const HEALTH_CACHE_MS = 1_000;

export function storeHealth(store: Store): StoreHealth {
  const ping = (store as Partial<{ ping(): Promise<void> }>).ping?.bind(store);
  if (!ping) return { kind: "file", check: async () => {} };
  let last: { at: number; result: Promise<void> } | undefined;
  return {
    kind: "postgres",
    check() {
      const now = Date.now();
      if (!last || now - last.at > HEALTH_CACHE_MS) {
        const result = ping();
        result.catch(() => {});
        last = { at: now, result };
      }
      return last.result;
    },
  };
}
