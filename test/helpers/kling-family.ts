/**
 * The kling-3.0 family over both real simulators (Rivya and EvoLink), for the tests that
 * route between them: a harness per test, a family call's arguments, each side's tasks.
 */
import type { Harness, HarnessOptions } from "./harness.js";
import { harnessPerTest } from "./harness.js";

/** A base URL nothing listens on: a provider that is down. */
export const CLOSED = "http://127.0.0.1:9";

/** `const both = bothProviders();` at file level: each call starts both simulators, closed after the test. */
export function bothProviders(): (opts?: HarnessOptions) => Promise<Harness> {
  const harness = harnessPerTest();
  return (opts = {}) => harness({ evolink: {}, ...opts });
}

export const kling = (args: Record<string, unknown> = {}) => ({
  model: "kling-3.0",
  prompt: "a lighthouse at dusk",
  ...args,
});
export const rivyaTasks = (t: Harness) => t.sim.tasks(t.apiKey);
export const evoTasks = (t: Harness) => t.evo?.tasks() ?? [];
