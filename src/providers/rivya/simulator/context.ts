/** Shared state and the handler contract that routes and their handlers are written against. */
import type { IncomingMessage } from "node:http";
import type { ModelTable } from "../../../catalog/types.js";
import type { Reply } from "../../../simulator-kit/http.js";
import type { Account, Accounts } from "./accounts.js";
import type { UploadLimits } from "./files.js";
import type { IdempotencyStore } from "./idempotency.js";
import type { TaskStore } from "./tasks.js";
import type { UploadedFiles } from "./uploaded-files.js";

export interface SimState {
  baseUrl: string;
  models: readonly ModelTable[];
  modelList: unknown;
  /** Largest upload sizes over `models`, which are fixed for the simulator's lifetime. */
  uploadLimits: UploadLimits;
  /** Credits a create reserves (SimulatorOptions.reserveCredits or the base credits). */
  reserveCredits: (model: ModelTable, params: Readonly<Record<string, unknown>>) => number;
  accounts: Accounts;
  tasks: TaskStore;
  files: UploadedFiles;
  idempotency: IdempotencyStore;
}

export interface RouteContext {
  req: IncomingMessage;
  /** Decoded path parameters, in pattern order. */
  params: string[];
  /** Set for every route with a scope (auth already passed). */
  account: Account | undefined;
  state: SimState;
}

export interface Route {
  method: "GET" | "POST";
  pattern: RegExp;
  /** Scope the key needs; null = public, no key read at all. */
  scope: string | null;
  /** API routes get fault injection; result/CDN downloads only get latency. */
  api: boolean;
  /** Only the create may be "accepted then dropped". */
  droppable?: boolean;
  /** A success changes what must survive a restart: saved before the reply goes out. */
  saves?: boolean;
  handle(ctx: RouteContext): Reply | Promise<Reply>;
}

export function ownerOf(ctx: RouteContext): Account {
  if (!ctx.account) throw new Error("scoped route reached without an account");
  return ctx.account;
}
