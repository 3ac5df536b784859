/**
 * A create at a provider without idempotency (EvoLink) that may still be on its way is neither
 * created nor in doubt: a retry meanwhile must not be told to resend (that could pay twice),
 * whether the first send is in this process or was written moments ago by another one (a
 * replica, or this server before a restart). Real EvoLink simulator over HTTP.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashRequest, newIntent } from "../../src/generation/ledger.js";
import { SEND_WINDOW_MS } from "../../src/generation/submit.js";
import { type Harness, startHarness, structuredOf, textOf } from "../helpers/harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    evolink: { pendingMs: 20, processingMs: 40, rateLimitPerMinute: null, startingCredits: 1000 },
  });
});
afterAll(() => h.close());
const evo = () => h.evo as NonNullable<Harness["evo"]>;
const creates = () =>
  evo().requests.filter((r) => r.method === "POST" && r.path === "/v1/videos/generations").length;

const args = (id: string) => ({
  model: "kling-v3-text-to-video",
  prompt: "A kite over dunes",
  client_request_id: id,
  wait_seconds: 0,
});

/** An intent as another process writes it just before sending its create. */
async function intentOfAnotherProcess(id: string, ageMs: number) {
  // The exact request a call with these arguments sends, as its dry run shows it.
  const dry = structuredOf(await h.call("generate_video", { ...args(id), dry_run: true }));
  const body = dry.request;
  const intent = newIntent({
    owner: "local",
    clientRequestId: id,
    idempotencyKey: `rmcp_${randomUUID()}`,
    provider: "evolink",
    model: "kling-v3-text-to-video",
    requestHash: hashRequest(body),
    settings: {},
    prompt: "A kite over dunes",
    quote: 27,
  });
  intent.created_at = new Date(Date.now() - ageMs).toISOString();
  await h.store.openIntent(intent);
}

describe("a create that may still be on its way", () => {
  it("in this process: a concurrent retry waits for it, then gets its one task", async () => {
    evo().setFaults({ latencyMs: 1_500 });
    const first = h.call("generate_video", args("concurrent-1"));
    for (let i = 0; i < 200 && creates() === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const during = await h.call("generate_video", args("concurrent-1"));
    expect(during.isError).toBe(true);
    expect(textOf(during)).toContain("has not come back yet");
    expect(textOf(during)).not.toContain("resubmit_in_doubt");
    const seen = structuredOf(await h.call("get_task", { task_id: "concurrent-1" }));
    expect(seen.submitting.next_step).toContain("Do not send it again meanwhile");
    // Even an agent that asks to resend is held back while the first send may land.
    const forced = await h.call("generate_video", {
      ...args("concurrent-1"),
      resubmit_in_doubt: true,
    });
    expect(textOf(forced)).toContain("has not come back yet");
    const firstTask = structuredOf(await first).task.task_id;
    expect(firstTask).toBeTruthy();
    evo().setFaults({ latencyMs: 0 });
    const after = structuredOf(await h.call("generate_video", args("concurrent-1")));
    expect(after.task.task_id).toBe(firstTask);
    expect(after.replayed).toBe(true);
    expect(creates()).toBe(1);
    expect(evo().tasks()).toHaveLength(1);
  });

  it("written moments ago by another process: not resent, not called in doubt", async () => {
    await intentOfAnotherProcess("other-process", 5_000);
    const before = creates();
    const retry = await h.call("generate_video", {
      ...args("other-process"),
      resubmit_in_doubt: true,
    });
    expect(textOf(retry)).toContain("by this or another server");
    const seen = await h.call("get_task", { task_id: "other-process" });
    expect(textOf(seen)).toContain("is being sent to EvoLink");
    expect(creates()).toBe(before);
  });

  it("written longer ago than any send takes: in doubt, as before", async () => {
    await intentOfAnotherProcess("long-ago", SEND_WINDOW_MS + 1_000);
    const retry = await h.call("generate_video", args("long-ago"));
    expect(textOf(retry)).toContain("resubmit_in_doubt: true");
    const seen = await h.call("get_task", { task_id: "long-ago" });
    expect(textOf(seen)).toContain("outcome unknown");
  });
});
