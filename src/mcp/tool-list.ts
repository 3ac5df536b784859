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
function withFacts(template: string, facts: DescribeFacts): string {
  const budget = budgetWords(facts);
  return template
    .replaceAll("{confirm_above}", String(facts.confirmAbove))
    .replaceAll("{daily_budget}", budget);
}

// Filled once per list and settings, not per session or stateless request.
const filled = new WeakMap<readonly Tool[], Map<string, Tool[]>>();

/** A tool list whose descriptions are templates, with the settings written in. */
export function withFactsList(templates: readonly Tool[], facts: DescribeFacts): Tool[] {
  const key = `${facts.confirmAbove}/${facts.dailyBudget ?? "none"}/${facts.budgetInUsd ? "usd" : "credits"}`;
  let perFacts = filled.get(templates);
  if (!perFacts) {
    perFacts = new Map<string, Tool[]>();
    filled.set(templates, perFacts);
  }
  let list = perFacts.get(key);
  if (!list) {
    list = templates.map((t) => ({ ...t, description: withFacts(t.description ?? "", facts) }));
    perFacts.set(key, list);
  }
  return list;
}

/**
 * The shipped tools as tools/list publishes them under these settings; undefined when
 * running from source (tests, tsx), where mcp/publish.ts derives the list instead.
 */
export function builtToolList(facts: DescribeFacts): Tool[] | undefined {
  return built && withFactsList(built, facts);
}
