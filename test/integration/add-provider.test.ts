/**
 * Adding a provider is one folder: its tables and its Provider. Served beside Rivya, its
 * models go through the same four tools, quotes, spend guards and ledger, with no other
 * code change.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loopcast } from "../fixtures/throwaway-provider/provider.js";
import { type Harness, startHarness, structuredOf, textOf } from "../helpers/harness.js";

const lc = loopcast();
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ providers: [lc] });
});
afterAll(() => h.close());

it("lists both providers' models, priced by each provider's quote", async () => {
  const listed = structuredOf(await h.call("list_models"));
  const byId = Object.fromEntries(listed.models.map((m: any) => [m.id, m]));
  expect(byId["kling-3-0"]).toMatchObject({ base_credits: 90, billing_type: "FIXED" });
  // 2 credits per second × the default 4 s; 3 × 20 s.
  expect(byId["loopcast-short"]).toMatchObject({ base_credits: 8, billing_type: "PER_SECOND" });
  expect(byId["loopcast-long"]).toMatchObject({ base_credits: 60, billing_type: "PER_SECOND" });
});

it("refuses a bad setting locally, before the provider is called", async () => {
  const bad = await h.call("generate_video", {
    model: "loopcast-long",
    prompt: "waves",
    params: { seconds: 25 },
  });
  expect(bad.isError).toBe(true);
  expect(textOf(bad)).toContain("params.seconds must be one of 20, 30 for loopcast-long");
  expect(lc.creates()).toBe(0);
});

it("quotes, submits, records and polls a task end to end; a retry is not charged twice", async () => {
  const args = {
    model: "loopcast-long",
    prompt: "waves on a loop",
    params: { seconds: 30, seamless: true },
    client_request_id: "lc-1",
  };
  const dry = structuredOf(await h.call("generate_video", { ...args, dry_run: true }));
  expect(dry.cost).toMatchObject({ credits: 90, unit: "Loopcast credits" });
  expect(lc.creates()).toBe(0);

  const first = await h.call("generate_video", args);
  expect(first.isError, textOf(first)).toBeFalsy();
  const out = structuredOf(first);
  expect(out.cost).toMatchObject({
    credits: 90,
    unit: "Loopcast credits",
    billing_type: "PER_SECOND",
  });
  expect(out.settings).toEqual({ seconds: 30, seamless: true });
  const again = structuredOf(await h.call("generate_video", args));
  expect(again.task.task_id).toBe(out.task.task_id);
  expect(again.replayed).toBe(true);
  expect(lc.charged()).toBe(90);

  const entry = await h.store.get("local", out.task.task_id);
  expect(entry).toMatchObject({ provider: "loopcast", model: "loopcast-long", quote_credits: 90 });

  const done = structuredOf(
    await h.call("get_task", { task_id: out.task.task_id, wait_seconds: 2 }),
  );
  expect(done.task).toMatchObject({ status: "succeeded", done: true });
  expect(done.task.video_url).toBe(`https://loopcast.invalid/${out.task.task_id}.mp4`);
});

it("leaves Rivya as it was: a kling-3-0 call is charged by Rivya only", async () => {
  const before = lc.charged();
  const res = await h.call("generate_video", { model: "kling-3-0", prompt: "a fox" });
  expect(res.isError, textOf(res)).toBeFalsy();
  expect(structuredOf(res).cost).toMatchObject({ credits: 90, unit: "Rivya credits" });
  expect(h.sim.balance(h.apiKey)).toBe(1000 - 90);
  expect(lc.charged()).toBe(before);
});

describe("a provider without idempotency", () => {
  const ni = loopcast({ idempotent: false });
  let t: Harness;
  beforeAll(async () => {
    t = await startHarness({ providers: [ni] });
  });
  afterAll(() => t.close());

  it("never resends an unanswered create on its own; resubmit_in_doubt sends it once more, under a new id", async () => {
    const args = { model: "loopcast-short", prompt: "a spinning top", client_request_id: "ni-1" };
    ni.dropNextReply();
    const first = await t.call("generate_video", args);
    expect(first.isError).toBe(true);
    expect(textOf(first)).toContain("submitting — in doubt");
    expect(textOf(first)).toContain("MAY CHARGE TWICE");
    expect(ni.creates()).toBe(1);

    const again = await t.call("generate_video", args);
    expect(again.isError).toBe(true);
    expect(textOf(again)).toContain("resubmit_in_doubt: true");
    expect(ni.creates()).toBe(1);

    const shown = await t.call("get_task", { task_id: "ni-1" });
    expect(structuredOf(shown).submitting).toMatchObject({ client_request_id: "ni-1" });
    expect(textOf(shown)).toContain("will not resend it on its own");

    const forced = await t.call("generate_video", { ...args, resubmit_in_doubt: true });
    expect(forced.isError, textOf(forced)).toBeFalsy();
    expect(structuredOf(forced).client_request_id).toBe("ni-1~2");
    expect(textOf(forced)).toContain("stays listed as in doubt");
    expect(ni.creates()).toBe(2);
    // Both sends were charged; the ledger keeps the in-doubt one, so the budget counts it.
    expect(ni.charged()).toBe(16);
    // The resubmit's own answer lost, the agent retries it: that send again, never a third.
    const retried = await t.call("generate_video", { ...args, resubmit_in_doubt: true });
    expect(structuredOf(retried)).toMatchObject({ client_request_id: "ni-1~2", replayed: true });
    expect(ni.creates()).toBe(2);
    const recent = structuredOf(await t.call("get_task", {})).recent_tasks;
    const ids = recent.map((r: { client_request_id: string }) => r.client_request_id);
    expect(ids).toEqual(expect.arrayContaining(["ni-1", "ni-1~2"]));
  });
});
