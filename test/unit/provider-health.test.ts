/** The circuit breaker's states, on an injected clock. */
import { expect, it } from "vitest";
import { ProviderHealth } from "../../src/generation/provider-health.js";

it("opens after three failures, lets one probe through after the open period, closes on success", () => {
  let now = 0;
  const h = new ProviderHealth({ failuresToOpen: 3, openMs: 1000 }, () => now);
  for (let i = 0; i < 3; i++) h.failed("p");
  expect([h.allows("p"), h.word("p")]).toEqual([false, "down"]);
  now = 1001;
  expect(h.allows("p")).toBe(true); // the probe
  expect(h.allows("p")).toBe(false); // only one at a time
  h.succeeded("p");
  expect([h.allows("p"), h.word("p")]).toEqual([true, "up"]);
});

it("a probe that ends without proof is given back, never held forever", () => {
  let now = 0;
  const h = new ProviderHealth({ failuresToOpen: 1, openMs: 1000 }, () => now);
  h.failed("p");
  now = 1001;
  expect(h.allows("p")).toBe(true);
  h.inconclusive("p"); // e.g. refused before sending: says nothing about the provider
  expect(h.allows("p")).toBe(false);
  now = 2002;
  expect(h.allows("p")).toBe(true);
  h.failed("p");
  expect(h.word("p")).toBe("down");
});
