/** What every generation step is given: the caller's session (ToolContext) and the server's parts (ServerDeps). */
import type { ServerConfig } from "../config.js";
import type { Lifecycle } from "../lifecycle.js";
import type { Logger } from "../log.js";
import type { Providers } from "../providers/registry.js";
import type { Store } from "../store/types.js";
import type { ProviderHealth } from "./provider-health.js";

/** What a handler may ask of the MCP session it runs in; server.ts fills it per call. */
export interface ToolContext {
  signal: AbortSignal;
  /** Sends a progress notification when (and only when) the client asked for progress. */
  progress(progress: number, total: number | undefined, message: string): Promise<void>;
  /** Folders the client offered as MCP roots, or undefined when it offers none. */
  roots(): Promise<string[] | undefined>;
  /**
   * Asks the person a yes/no question through the client (MCP elicitation). Resolves
   * undefined when the client cannot ask. `about` names what is being approved, stable
   * while details of the wording (a balance) change: a 2026 client answers in a second
   * call, and its answer is matched to the question by it.
   */
  askPerson(message: string, about?: string): Promise<boolean | undefined>;
  /**
   * Set when this call carries the person's answers to questions asked in earlier rounds
   * of the same call (2026-07-28): the same for every resend of those answers, so a tool
   * that spends treats the resends as one request, never paying twice for one yes.
   */
  approval?: string | undefined;
}

export interface ServerDeps {
  /** The providers this caller may use, with their keys; found by model id. */
  providers: Providers;
  /** Who is calling: "local" over stdio, the token's name in hosted mode. */
  owner: string;
  store: Store;
  /** Credits this owner may commit per UTC day; undefined means no cap. */
  dailyBudget?: number | undefined;
  config: ServerConfig;
  log: Logger;
  /** Running calls and the stop signal (waits end early and answer with the task id). */
  lifecycle?: Lifecycle | undefined;
  /** Providers' circuit breakers (default: one per process). */
  health?: ProviderHealth | undefined;
  /** Hosted mode: caps this person's concurrent URL fetches (upload_reference with `url`). */
  urlFetchSlots?: { run<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> } | undefined;
}

/** A link to a result hosts can show or open (MCP resource_link content). */
export interface ResourceLink {
  type: "resource_link";
  uri: string;
  name: string;
  mimeType: string;
  description?: string;
}
