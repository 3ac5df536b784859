/**
 * Family calls across two throwaway providers ("lca" and "lcb", each serving a short model
 * of the "loopfam" family): choice by preference or by money, failover only when the first
 * provider created nothing, never past a create that may have been processed.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { ModelTable } from "../../src/catalog/types.js";
import { ProviderHealth } from "../../src/generation/provider-health.js";
import { loopFamily } from "../fixtures/throwaway-provider/family.js";
import { type Loopcast, loopcast } from "../fixtures/throwaway-provider/provider.js";
import {
  type Harness,
  type HarnessOptions,
  startHarness,
  structuredOf,
  textOf,
} from "../helpers/harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function serve(a: Loopcast, b: Loopcast, opts: HarnessOptions = {}) {
  h = await startHarness({ providers: [a, b], families: [loopFamily], ...opts });
  return h;
}

/**
 * One rate for both: a member in another provider's credits is held to the threshold only
 * through the rates (without them the person is asked), and equal prices keep the order.
 */
const SAME_RATE = { usdPerCredit: { lca: 0.01, lcb: 0.01 } };

const family = (args: Record<string, unknown> = {}) => ({
  model: "loopfam",
  prompt: "a loop",
  ...args,
});

describe("choosing a member", () => {
  it("takes the first provider in the preference order, and says so", async () => {
    const a = loopcast({ id: "lca" });
    const b = loopcast({ id: "lcb" });
    const t = await serve(a, b, { config: { providerOrder: ["lcb", "lca"] } });
    const res = await t.call("generate_video", family());
    expect(res.isError, textOf(res)).toBeFalsy();
    expect(structuredOf(res).route).toMatchObject({
      family: "loopfam",
      model: "lcb-short",
      provider: "lcb",
      why: expect.stringContaining("preference order (lcb, lca)"),
    });
    expect([a.charged(), b.charged()]).toEqual([0, 8]);
  });

  it("takes the cheapest by money when every member's rate is known", async () => {
    // lca: 2 credits/s × 4 s = 8 credits × $0.05 = $0.40; lcb: 3/s × 4 = 12 × $0.02 = $0.24.
    const a = loopcast({ id: "lca" });
    const b = loopcast({ id: "lcb", perSecond: [3, 3] });
    const t = await serve(a, b, { config: { usdPerCredit: { lca: 0.05, lcb: 0.02 } } });
    const res = await t.call("generate_video", family());
    const { route } = structuredOf(res);
    expect(route.provider).toBe("lcb");
    expect(route.why).toContain("cheapest by money (lcb-short $0.24 < lca-short $0.40)");
    expect(route.quotes).toEqual([
      { model: "lcb-short", provider: "lcb", credits: 12, unit: "Loopcast credits", usd: 0.24 },
      { model: "lca-short", provider: "lca", credits: 8, unit: "Loopcast credits", usd: 0.4 },
    ]);
  });

  it("sends a setting only one member honours to that member; refuses what none can, for free", async () => {
    const a = loopcast({ id: "lca" });
    const b = loopcast({ id: "lcb" });
    const t = await serve(a, b, { config: { providerOrder: ["lcb", "lca"], ...SAME_RATE } });
    const slow = structuredOf(await t.call("generate_video", family({ params: { slowmo: true } })));
    expect(slow.route).toMatchObject({
      provider: "lca",
      cannot: ["lcb-short (Loopcast lcb): slow motion is not offered"],
    });
    const none = await t.call("generate_video", family({ params: { seconds: 5 } }));
    expect(none.isError).toBe(true);
    expect(textOf(none)).toContain("params.seconds must be one of 2, 4, 6");
    expect(a.creates() + b.creates()).toBe(1);
  });
});

describe("failing over", () => {
  it("lands on the next member when the first refuses the connection: one charge in all", async () => {
    const a = loopcast({ id: "lca" });
    const b = loopcast({ id: "lcb" });
    const t = await serve(a, b, { config: SAME_RATE });
    a.setDown(true);
    const res = await t.call("generate_video", family({ client_request_id: "fo-1" }));
    expect(res.isError, textOf(res)).toBeFalsy();
    expect(structuredOf(res).route).toMatchObject({
      provider: "lcb",
      notes: [expect.stringContaining("created nothing")],
    });
    expect([a.charged(), b.charged()]).toEqual([0, 8]);
    expect(await t.store.findByClientRequestId("local", "fo-1")).toMatchObject({ provider: "lcb" });
  });

  it("never fails over after a create whose answer was lost; a retry recovers that task", async () => {
    const a = loopcast({ id: "lca" });
    const b = loopcast({ id: "lcb" });
    const t = await serve(a, b);
    a.dropNextReply();
    const first = await t.call("generate_video", family({ client_request_id: "drop-1" }));
    expect(first.isError).toBe(true);
    expect(textOf(first)).toContain("outcome unknown");
    expect(b.creates()).toBe(0);
    const again = structuredOf(
      await t.call("generate_video", family({ client_request_id: "drop-1" })),
    );
    expect(again.replayed).toBe(true);
    expect(again.route.provider).toBe("lca");
    expect([a.charged(), b.charged()]).toEqual([8, 0]);
  });

  it("with both down: a clear error naming both, nothing charged", async () => {
    const a = loopcast({ id: "lca" });
    const b = loopcast({ id: "lcb" });
    const t = await serve(a, b, { config: SAME_RATE });
    a.setDown(true);
    b.setDown(true);
    const res = await t.call("generate_video", family());
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(
      /Loopcast lca .*created nothing.*Loopcast lcb .*created nothing.*Nothing was charged/s,
    );
    expect(a.charged() + b.charged()).toBe(0);
  });

  it("refuses to fail over to a member dearer than max_credits, naming both quotes", async () => {
    const a = loopcast({ id: "lca", perSecond: [1, 1] }); // 4 credits
    const b = loopcast({ id: "lcb", perSecond: [3, 3] }); // 12 credits
    const t = await serve(a, b, { config: SAME_RATE });
    a.setDown(true);
    const res = await t.call("generate_video", family({ max_credits: 5 }));
    expect(res.isError).toBe(true);
    const text = textOf(res);
    expect(text).toContain("lca-short at Loopcast lca (4 Loopcast credits) created nothing");
    expect(text).toContain("lcb-short at Loopcast lcb costs 12 Loopcast credits");
    expect(text).toContain("above max_credits 5");
    expect(a.charged() + b.charged()).toBe(0);
  });

  it("a person's yes for one member's price does not pay a dearer member: it asks again", async () => {
    const a = loopcast({ id: "lca" }); // 8 credits × $0.05 = $0.40
    const b = loopcast({ id: "lcb", perSecond: [5, 5] }); // 20 credits × $0.05 = $1.00
    const t = await serve(a, b, {
      config: { confirmAbove: 5, usdPerCredit: { lca: 0.05, lcb: 0.05 } },
    });
    a.setDown(true);
    const res = await t.call("generate_video", family({ confirm: true }));
    expect(res.isError).toBe(true);
    expect(textOf(res)).toContain("lca-short at Loopcast lca (8 Loopcast credits) created nothing");
    expect(textOf(res)).toContain("confirmation threshold");
    expect(a.charged() + b.charged()).toBe(0);
  });

  it("a retry that arrives while the first send is still out waits for it, never resends", async () => {
    const a = loopcast({ id: "lca", submitDelayMs: 150 });
    const b = loopcast({ id: "lcb" });
    const t = await serve(a, b, { config: SAME_RATE });
    a.setDown(true);
    const first = t.call("generate_video", family({ client_request_id: "race-1" }));
    await new Promise((r) => setTimeout(r, 50));
    const second = await t.call("generate_video", family({ client_request_id: "race-1" }));
    expect(second.isError).toBe(true);
    expect(textOf(second)).toContain("is already submitting this request");
    const done = structuredOf(await first);
    expect(done.route.provider).toBe("lcb");
    expect([a.charged(), b.charged(), b.creates()]).toEqual([0, 8, 1]);
  });

  it("a circuit breaker skips a dead provider after three failures, and probes it later", async () => {
    let now = 0;
    const health = new ProviderHealth({ failuresToOpen: 3, openMs: 30_000 }, () => now);
    const a = loopcast({ id: "lca" });
    const b = loopcast({ id: "lcb" });
    const t = await serve(a, b, { health, config: SAME_RATE });
    a.setDown(true);
    for (let i = 0; i < 3; i++) await t.call("generate_video", family());
    const skipped = structuredOf(await t.call("generate_video", family()));
    expect(skipped.route.notes).toEqual([expect.stringContaining("marked down")]);
    const listed = structuredOf(await t.call("list_models", { model: "loopfam" }));
    expect(listed.balances.find((x: { provider: string }) => x.provider === "lca").health).toBe(
      "down",
    );
    a.setDown(false);
    now += 30_001;
    const probe = structuredOf(await t.call("generate_video", family()));
    expect(probe.route.provider).toBe("lca");
    expect(health.word("lca")).toBe("up");
  });
});

describe("list_models with a family member out of step", () => {
  it("lists everything, that member with a note instead of a price", async () => {
    const broken: ModelTable = {
      ...loopFamily,
      id: "loopfam-broken",
      members: [
        loopFamily.members?.[0] as NonNullable<ModelTable["members"]>[number],
        { model: "lcb-short", translate: () => ({ params: { seconds: 999 } }) },
      ],
    };
    const t = await startHarness({
      providers: [loopcast({ id: "lca" }), loopcast({ id: "lcb" })],
      families: [loopFamily, broken],
    });
    h = t;
    const listed = structuredOf(await t.call("list_models"));
    const view = listed.models.find((m: { id: string }) => m.id === "loopfam-broken");
    expect(view.members[0].credits).toBeGreaterThan(0);
    expect(view.members[1]).toMatchObject({ model: "lcb-short" });
    expect(view.members[1].note).toMatch(/^no quote for the family's defaults \(.*seconds/);
    expect(listed.models.some((m: { id: string }) => m.id === "loopfam")).toBe(true);
  });
});

describe("a retry of a request already sent", () => {
  it("gets its task back even when routing would now refuse every member", async () => {
    const a = loopcast({ id: "lca" });
    const b = loopcast({ id: "lcb" });
    const t = await serve(a, b);
    const first = structuredOf(
      await t.call("generate_video", family({ client_request_id: "kept" })),
    );
    // Both keys removed since (a restart with another configuration, say): no member can
    // take a new request, but the one already paid for is still answered from the ledger.
    for (const p of [a, b]) (p as { configured: boolean }).configured = false;
    const fresh = await t.call("generate_video", family({ client_request_id: "new-one" }));
    expect(textOf(fresh)).toContain("No member of loopfam can take this request");
    const again = await t.call("generate_video", family({ client_request_id: "kept" }));
    expect(again.isError, textOf(again)).toBeFalsy();
    expect(structuredOf(again)).toMatchObject({
      replayed: true,
      task: { task_id: first.task.task_id },
      route: { model: first.route.model },
    });
    expect(a.taskIds().length + b.taskIds().length).toBe(1);
  });
});

describe("a flapping provider", () => {
  it("200 family calls through refusals and lost replies: one task per request, charges = tasks", async () => {
    const a = loopcast({ id: "lca" });
    const b = loopcast({ id: "lcb" });
    const t = await serve(a, b, {
      health: new ProviderHealth({ failuresToOpen: 1_000, openMs: 1 }),
      config: SAME_RATE,
    });
    let seed = 7;
    const random = () => {
      seed = (seed * 48271) % 2147483647;
      return seed / 2147483647;
    };
    const taskOf = new Map<string, string>();
    for (let i = 0; i < 200; i++) {
      const id = `flap-${i}`;
      for (let attempt = 0; attempt < 20 && !taskOf.has(id); attempt++) {
        const roll = random();
        a.setDown(roll < 0.25);
        if (roll >= 0.25 && roll < 0.4) a.dropNextReply();
        const res = await t.call("generate_video", family({ client_request_id: id }));
        if (!res.isError) taskOf.set(id, structuredOf(res).task.task_id);
      }
    }
    a.setDown(false);
    expect(taskOf.size).toBe(200);
    const created = a.taskIds().length + b.taskIds().length;
    // Every create that reached a provider became exactly one request's task: none twice.
    expect(created).toBe(200);
    expect(new Set(taskOf.values()).size).toBe(200);
    expect(a.charged() + b.charged()).toBe(200 * 8);
    // The flapping did what it is for: some requests failed over, and lost replies were sent again.
    expect(b.taskIds().length).toBeGreaterThan(0);
    expect(a.creates() + b.creates()).toBeGreaterThan(created);
    console.log(
      `flapping: ${a.taskIds().length} at lca, ${b.taskIds().length} at lcb, ${a.creates() + b.creates()} creates sent`,
    );
  });
});

describe("a budget across providers", () => {
  it("counts dollars at each provider's rate, whichever member took the call", async () => {
    const a = loopcast({ id: "lca" }); // 8 credits × $0.05 = $0.40
    const b = loopcast({ id: "lcb", perSecond: [3, 3] }); // 12 credits × $0.02 = $0.24
    const config = { budgetInUsd: true, usdPerCredit: { lca: 0.05, lcb: 0.02 }, dailyBudget: 1 };
    const t = await serve(a, b, { config });
    expect((await t.call("generate_video", family())).isError).toBeFalsy(); // lcb: $0.24
    b.setDown(true);
    expect((await t.call("generate_video", family())).isError).toBeFalsy(); // lca: $0.64
    b.setDown(false);
    expect((await t.call("generate_video", family())).isError).toBeFalsy(); // lcb: $0.88
    const over = await t.call("generate_video", family());
    expect(over.isError).toBe(true);
    expect(textOf(over)).toContain(
      "costs $0.24 (12 credits) but only $0.12 of today's budget of $1.00 are left",
    );
    expect(await t.store.spentSince("local", new Date(0))).toBeCloseTo(0.88);
    expect([a.charged(), b.charged()]).toEqual([8, 24]);
  });
});
