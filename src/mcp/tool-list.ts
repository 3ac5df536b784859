/**
 * The shipped tools/list as the build embedded it (scripts/build.mjs, from mcp/publish.ts),
 * with the settings in force written into the descriptions. Free of zod and the SDK, so the
 * stdio transport can answer a host's first tools/list before those are loaded.
 */
import type { Tool } from "@modelcontextprotocol/server";
import type { ServerConfig } from "../config.js";
import type { DescribeFacts } from "../tools/define.js";

declare const __RIVYA_TOOL_LIST__: Tool[] | undefined;
const built = typeof __RIVYA_TOOL_LIST__ === "undefined" ? undefined : __RIVYA_TOOL_LIST__;

/** The settings a server (or, hosted, a person's server) states in its tool descriptions. */
export function describeFacts(
  config: ServerConfig,
  dailyBudget: number | undefined,
): DescribeFacts {
  return { confirmAbove: config.confirmAbove, dailyBudget, budgetInUsd: config.budgetInUsd };
}

function budgetWords({ dailyBudget, budgetInUsd }: DescribeFacts): string {
  if (dailyBudget === undefined) return "no daily budget";
  return budgetInUsd
    ? `daily budget $${dailyBudget.toFixed(2)} (US dollars, all providers together)`
    : `daily budget ${dailyBudget} credits`;
}

/** A description with `{confirm_above}` and `{daily_budget}` replaced by the settings. */
export function withFacts(template: string, facts: DescribeFacts): string {
  const budget = budgetWords(facts);
  return template
    .replaceAll("{confirm_above}", String(facts.confirmAbove))
    .replaceAll("{daily_budget}", budget);
}

/** Tool lists by settings: built once, not per session or stateless request. */
const filled = new Map<string, Tool[]>();

export function factsKey(facts: DescribeFacts): string {
  return `${facts.confirmAbove}/${facts.dailyBudget ?? "none"}/${facts.budgetInUsd ? "usd" : "credits"}`;
}

/**
 * The shipped tools as tools/list publishes them under these settings; undefined when
 * running from source (tests, tsx), where mcp/publish.ts derives the list instead.
 */
export function builtToolList(facts: DescribeFacts): Tool[] | undefined {
  if (!built) return undefined;
  const key = factsKey(facts);
  let list = filled.get(key);
  if (!list) {
    list = built.map((t) => ({ ...t, description: withFacts(t.description ?? "", facts) }));
    filled.set(key, list);
  }
  return list;
}
