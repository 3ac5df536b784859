/**
 * A family call's money limits — the agent's max_credits and the server's confirmation
 * threshold — count one provider's credits (the family's unit: its first provider in the
 * preference order with a key), converted per member at the USD rates, over the real
 * Rivya and EvoLink simulators. A member whose credits cannot be converted is never held
 * to that number as if they were the same money. And a person's yes is tied to an amount:
 * a failover to a dearer member is confirmed by passing that amount back as max_credits.
 */
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { loopFamily } from "../fixtures/throwaway-provider/family.js";
import { loopcast } from "../fixtures/throwaway-provider/provider.js";
import { harnessPerTest, structuredOf, textOf } from "../helpers/harness.js";
import { bothProviders, CLOSED, evoTasks, kling, rivyaTasks } from "../helpers/kling-family.js";

const both = bothProviders();
/** A harness of its own per test (only one provider keyed, or other providers). */
const single = harnessPerTest();
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

  it("a retry of a request already sent gets its task back, even with a max_credits its member's credits cannot be held to", async () => {
    // No rates: EvoLink's credits cannot be put in the family's unit (Rivya credits). A
    // storyboard only EvoLink takes, agreed to, is sent there...
    const t = await both();
    const shots = [
      { prompt: "the lighthouse", duration: 2 },
      { prompt: "the waves", duration: 3 },
    ];
    const args = kling({ params: { shots }, client_request_id: "sent-once", confirm: true });
    const first = structuredOf(await t.call("generate_video", args));
    expect(first.route.provider).toBe("evolink");
    // ...and its retry, now with a max_credits that member cannot be compared with, is the
    // same request: its task comes back, nothing is sent again.
    const again = await t.call("generate_video", { ...args, max_credits: 50 });
    expect(again.isError, textOf(again)).toBeFalsy();
    expect(structuredOf(again)).toMatchObject({
      replayed: true,
      task: { task_id: first.task.task_id },
    });
    expect(evoTasks(t)).toHaveLength(1);
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

describe("a yes tied to an amount", () => {
  it("a failover to a dearer member asks for its amount; passing it back as max_credits confirms it", async () => {
    // Rivya $0.90 is first; EvoLink's 27 credits at $0.05 are $1.35 = 135 Rivya credits.
    const t = await both({
      upstreamUrl: CLOSED,
      config: { usdPerCredit: { rivya: 0.01, evolink: 0.05 }, confirmAbove: 100 },
    });
    const asked = await t.call("generate_video", kling({ client_request_id: "dear-1" }));
    expect(asked.isError).toBe(true);
    expect(textOf(asked)).toContain("confirm: true and max_credits: 135");
    expect(evoTasks(t)).toHaveLength(0);
    // A yes for less than the dearer member costs does not pay it.
    const less = await t.call(
      "generate_video",
      kling({ client_request_id: "dear-1", confirm: true, max_credits: 100 }),
    );
    expect(less.isError).toBe(true);
    expect(evoTasks(t)).toHaveLength(0);
    const agreed = await t.call(
      "generate_video",
      kling({ client_request_id: "dear-1", confirm: true, max_credits: 135 }),
    );
    expect(agreed.isError, textOf(agreed)).toBeFalsy();
    expect(structuredOf(agreed).route.provider).toBe("evolink");
    expect(evoTasks(t)).toHaveLength(1);
  });

  it("a dearer member in other credits without rates is named for a direct call, which its yes then pays", async () => {
    const t = await both({ upstreamUrl: CLOSED, config: { confirmAbove: 100 } });
    const asked = await t.call("generate_video", kling({ confirm: true }));
    expect(asked.isError).toBe(true);
    const text = textOf(asked);
    // Its price cannot be put in Rivya credits, so max_credits on kling-3.0 cannot cap it.
    expect(text).toContain("call generate_video with model kling-v3-text-to-video, params {");
    expect(text).toContain("confirm: true and max_credits: 27 (EvoLink credits)");
    expect(evoTasks(t)).toHaveLength(0);
    const params = JSON.parse(text.match(/params (\{.*?\}), the same prompt/)?.[1] ?? "null");
    const direct = await t.call("generate_video", {
      model: "kling-v3-text-to-video",
      prompt: "a lighthouse at dusk",
      params,
      confirm: true,
      max_credits: 27,
    });
    expect(direct.isError, textOf(direct)).toBeFalsy();
    expect(evoTasks(t)).toHaveLength(1);
  });

  it("between two members of one rate: confirm: true and the amount end the loop, once", async () => {
    const a = loopcast({ id: "lca" }); // 8 credits × $0.05 = $0.40
    const b = loopcast({ id: "lcb", perSecond: [5, 5] }); // 20 credits × $0.05 = $1.00
    const h = await single({
      providers: [a, b],
      families: [loopFamily],
      config: { confirmAbove: 5, usdPerCredit: { lca: 0.05, lcb: 0.05 } },
    });
    a.setDown(true);
    const args = { model: "loopfam", prompt: "a loop", client_request_id: "loop-1" };
    const first = await h.call("generate_video", { ...args, confirm: true });
    expect(first.isError).toBe(true);
    expect(textOf(first)).toContain("max_credits: 20");
    // confirm: true alone is still the cheaper member's yes: asked again, with the amount.
    const again = await h.call("generate_video", { ...args, confirm: true });
    expect(again.isError).toBe(true);
    expect(textOf(again)).toContain("max_credits: 20");
    const agreed = await h.call("generate_video", { ...args, confirm: true, max_credits: 20 });
    expect(agreed.isError, textOf(agreed)).toBeFalsy();
    const replayed = await h.call("generate_video", { ...args, confirm: true, max_credits: 20 });
    expect(structuredOf(replayed).replayed).toBe(true);
    expect([a.charged(), b.charged()]).toEqual([0, 20]);
  });
});
