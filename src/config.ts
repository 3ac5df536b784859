/**
 * Configuration, layered once at start-up: defaults, then environment, then flags.
 * Everything the tools need to know about their surroundings lives here.
 */
import { homedir } from "node:os";
import { delimiter, join, resolve } from "node:path";

export interface ServerConfig {
  transport: "stdio" | "http";
  /** Folders local uploads may read from when the client offers no MCP roots. */
  allowDirs: string[];
  /** Where get_task saves downloaded videos. */
  outputDir: string;
  /**
   * Save a finished video whose links expire into outputDir the first time it is seen
   * finished (stdio only; hosted mode has no local folder). --no-auto-save, RIVYA_MCP_AUTO_SAVE=0.
   */
  autoSave: boolean;
  /** Rivya's polling guidance: first check after 2–3 s, then every 5–10 s. */
  firstPollDelayMs: number;
  pollIntervalMs: number;
  /** Refuse URL fetches to private/loopback addresses (off only in tests). */
  blockPrivateUrls: boolean;
  /** Calls costing more than this many credits need the person's confirmation. */
  confirmAbove: number;
  /** Per-process daily credit cap (stdio); hosted mode sets one per token. */
  dailyBudget: number | undefined;
  /** Where the task ledger lives. */
  stateDir: string;
  /**
   * Hosted mode: the server's address as providers can reach it (--public-url). Providers
   * that call back when a task finishes get a callback URL under it; without it, polling.
   */
  publicUrl?: string | undefined;
  /** Family calls: providers in this order of preference (--providers). Default: as shipped. */
  providerOrder?: readonly string[] | undefined;
  /**
   * US dollars per credit, by provider id (--usd-per-credit). With a rate for every member of
   * a family, a family call goes to the cheapest by money; prices are also shown in USD.
   */
  usdPerCredit?: Readonly<Record<string, number>> | undefined;
  /**
   * Daily budgets (--daily-budget, tokens' daily_budget) count US dollars at usdPerCredit
   * instead of credits: set when more than one provider has a key and every one has a rate.
   */
  budgetInUsd?: boolean | undefined;
}

/** "rivya,evolink" → ["rivya", "evolink"], each a known provider id. */
export function providerOrderFrom(value: string, known: readonly string[]): string[] {
  const ids = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = ids.filter((id) => !known.includes(id));
  if (unknown.length || ids.length === 0)
    throw new Error(
      `--providers takes a comma-separated list of ${known.join(", ")}; got '${value}'`,
    );
  return ids;
}

/** "rivya=0.01,evolink=0.0139" → US dollars per credit by provider id. */
export function ratesFrom(value: string, known: readonly string[]): Record<string, number> {
  const rates: Record<string, number> = {};
  for (const pair of value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [id = "", rate = ""] = pair.split("=").map((s) => s.trim());
    const n = Number(rate);
    if (!known.includes(id) || rate === "" || !Number.isFinite(n) || n <= 0)
      throw new Error(
        `--usd-per-credit takes provider=dollars pairs for ${known.join(", ")}, e.g. evolink=${(1 / 72).toFixed(4)}; got '${pair}'`,
      );
    rates[id] = n;
  }
  return rates;
}

/** Default confirmation threshold: above the cheapest 5-second video, so dearer calls are confirmed. */
export const DEFAULT_CONFIRM_ABOVE = 100;

function numberFrom(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const value = envValue(env, name);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new Error(`${name} must be a non-negative number, got '${value}'`);
  return n;
}

export function defaultStateDir(env: NodeJS.ProcessEnv): string {
  const xdg = envValue(env, "XDG_STATE_HOME");
  return xdg ? join(xdg, "rivya-mcp") : join(homedir(), ".rivya-mcp");
}

/** Upper bound on any single call's wait (wait_seconds), well under clients' 60 s timeout. */
export const MAX_WAIT_SECONDS = 45;

/** Claude Desktop passes the literal `${user_config.X}` for a blank optional bundle field. */
export function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  if (!value || /^\$\{user_config\.[^}]*\}$/.test(value)) return undefined;
  return value;
}

/** A switch that is on unless set to 0, false, no or off. */
function switchFrom(env: NodeJS.ProcessEnv, name: string): boolean {
  const value = envValue(env, name)?.toLowerCase();
  if (value === undefined || ["1", "true", "yes", "on"].includes(value)) return true;
  if (["0", "false", "no", "off"].includes(value)) return false;
  throw new Error(`${name} must be 1 or 0, got '${value}'`);
}

function defaultAllowDirs(cwd: string): string[] {
  const home = homedir();
  // Desktop clients often start servers with cwd "/" or $HOME; don't open the whole disk then.
  if (cwd === "/" || resolve(cwd) === resolve(home)) {
    return ["Desktop", "Downloads", "Pictures", "Movies", "Videos"].map((d) => join(home, d));
  }
  return [cwd];
}

export function defaultOutputDir(): string {
  return join(homedir(), "Movies", "rivya");
}

export function buildServerConfig(
  env: NodeJS.ProcessEnv,
  overrides: Partial<ServerConfig> = {},
  cwd: string = process.cwd(),
): ServerConfig {
  const dirs = envValue(env, "RIVYA_MCP_ALLOW_DIRS");
  return {
    transport: "stdio",
    // Commas, or the platform's path delimiter (":" here, ";" on Windows where ":" is in C:\).
    allowDirs: dirs
      ? dirs
          .split(new RegExp(`[,${delimiter}]`))
          .filter(Boolean)
          .map((d) => resolve(d))
      : defaultAllowDirs(cwd),
    outputDir: resolve(envValue(env, "RIVYA_MCP_OUTPUT_DIR") ?? defaultOutputDir()),
    autoSave: switchFrom(env, "RIVYA_MCP_AUTO_SAVE"),
    // The fewest checks the guidance allows: video jobs take minutes, and Rivya asks for
    // slower polling on long video jobs, so a result found up to 10 s late is the right trade.
    firstPollDelayMs: 3000,
    pollIntervalMs: 10_000,
    blockPrivateUrls: true,
    confirmAbove: numberFrom(env, "RIVYA_MCP_CONFIRM_ABOVE") ?? DEFAULT_CONFIRM_ABOVE,
    dailyBudget: numberFrom(env, "RIVYA_MCP_DAILY_BUDGET"),
    stateDir: resolve(envValue(env, "RIVYA_MCP_STATE_DIR") ?? defaultStateDir(env)),
    ...overrides,
  };
}
