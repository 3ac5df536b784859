/**
 * A family call's money limits — the agent's max_credits and the server's confirmation
 * threshold — count one provider's credits (the family's unit: its first provider in the
 * preference order with a key), converted per member at the USD rates, over the real
 * Rivya and EvoLink simulators. A member whose credits cannot be converted is never held
 * to that number as if they were the same money.
 */
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import {
  type Harness,
  type HarnessOptions,
  startHarness,
  structuredOf,
  textOf,
} from "../helpers/harness.js";

const CLOSED = "http://127.0.0.1:9";
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function both(opts: HarnessOptions = {}) {
  h = await startHarness({ evolink: {}, ...opts });
  return h;
}

const kling = (args: Record<string, unknown> = {}) => ({
  model: "kling-3.0",
  prompt: "a lighthouse at dusk",
  ...args,
});
const rivyaTasks = (t: Harness) => t.sim.tasks(t.apiKey);
const evoTasks = (t: Harness) => t.evo?.tasks() ?? [];
// EvoLink's public rate; a cent per Rivya credit. EvoLink's 27 credits ≈ $0.375 = 37.5 Rivya credits.
const RATES = { rivya: 0.01, evolink: 1 / 72 };

describe("max_credits in a family call counts the family's unit", () => {
  it("converts a member's price at the rates: 27 EvoLink credits are 37.5 Rivya credits, above 30", async () => {
    const t = await both({ config: { usdPerCredit: RATES } });
    const res = await t.call("generate_video", kling({ max_credits: 30 }));
    expect(res.isError).toBe(true);
    expect(textOf(res)).toContain("27 EvoLink credits (37.5 Rivya credits at the USD rates)");
    expect(textOf(res)).toContain("above max_credits 30 Rivya credits");
    expect([rivyaTasks(t).length, evoTasks(t).length]).toEqual([0, 0]);
    // The dry run holds the same line.
    const dry = await t.call("generate_video", kling({ max_credits: 30, dry_run: true }));
    expect(dry.isError).toBe(true);
    expect(textOf(dry)).toContain("above max_credits 30 Rivya credits");
    // At 40 Rivya credits EvoLink fits.
    const ok = await t.call("generate_video", kling({ max_credits: 40 }));
    expect(ok.isError, textOf(ok)).toBeFalsy();
    expect(structuredOf(ok).route.provider).toBe("evolink");
  });

  it("without rates, a member in other credits is not held to the number: passed over, with a note", async () => {
    // EvoLink first: max_credits counts EvoLink credits; Rivya's 90 Rivya credits cannot be compared.
    const t = await both({ config: { providerOrder: ["evolink", "rivya"] } });
    await t.evo?.close();
    const res = await t.call("generate_video", kling({ max_credits: 100 }));
    expect(res.isError).toBe(true);
    const text = textOf(res);
    expect(text).toContain(
      "kling-v3-text-to-video at EvoLink (27 EvoLink credits) created nothing",
    );
    expect(text).toContain("kling-3-0 (Rivya): max_credits counts EvoLink credits");
    expect(text).toContain("--usd-per-credit");
    expect(rivyaTasks(t)).toHaveLength(0);
  });

  it("list_models names the unit a family's max_credits counts, and each member's price in it", async () => {
    const t = await both({ config: { usdPerCredit: RATES } });
    const listed = structuredOf(await t.call("list_models", { model: "kling-3.0" }));
    const [family] = listed.models;
    expect(family).toMatchObject({ unit: "Rivya credits", base_credits: 37.5 });
    expect(family.price_basis).toContain(
      "max_credits and the confirmation threshold count Rivya credits",
    );
    expect(family.members).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ provider: "evolink", credits: 27, family_credits: 37.5 }),
      ]),
    );
  });
});

describe("the confirmation threshold in a family call counts the family's unit", () => {
  it("asks for EvoLink's 27 credits when they are 37.5 Rivya credits and the threshold is 30", async () => {
    const t = await both({ config: { usdPerCredit: RATES, confirmAbove: 30 } });
    const dry = await t.call("generate_video", kling({ dry_run: true }));
    expect(textOf(dry)).toContain("Submitting will need the person's confirmation");
    const res = await t.call("generate_video", kling());
    expect(res.isError).toBe(true);
    expect(textOf(res)).toContain("above the confirmation threshold of 30 Rivya credits");
    expect(evoTasks(t)).toHaveLength(0);
  });

  it("without rates, a member in other credits is asked about, its price in its own credits", async () => {
    const t = await both({
      upstreamUrl: CLOSED,
      config: { confirmAbove: 100 },
      capabilities: { elicitation: {} },
    });
    const asked: string[] = [];
    t.mcp.setRequestHandler(ElicitRequestSchema, async (req) => {
      asked.push(req.params.message);
      return { action: "accept", content: { approve: true } };
    });
    const res = await t.call("generate_video", kling());
    expect(res.isError, textOf(res)).toBeFalsy();
    expect(asked).toHaveLength(1);
    expect(asked[0]).toContain("27 EvoLink credits");
    expect(evoTasks(t)).toHaveLength(1);
  });
});
