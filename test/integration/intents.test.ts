/**
 * The paid path (issue 10): a write-ahead intent before every create, unknown outcomes
 * counted and settled by a retry, cancels that never turn into a charge, quotes raised to
 * what the upstream actually reserves, and waits that always end before their bound.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import type { RivyaTask } from "../../src/providers/rivya/types.js";
import { createdTasks, harnessPerTest, structuredOf, textOf } from "../helpers/harness.js";

const harness = harnessPerTest();
const out = structuredOf;

describe("the write-ahead intent", () => {
  it("is on disk, as submitting, before the create leaves the process", async () => {
    const t = await harness();
    const create = t.client.createGeneration.bind(t.client);
    const seenAtCreate: unknown[] = [];
    t.client.createGeneration = async (body, o) => {
      seenAtCreate.push(await t.store.findByClientRequestId("local", "wal-1"));
      return create(body, o);
    };
    const r = await t.call("generate_video", {
      model: "kling-3-0",
      prompt: "Written ahead",
      client_request_id: "wal-1",
    });
    expect(r.isError, textOf(r)).toBeFalsy();
    expect(seenAtCreate).toEqual([
      expect.objectContaining({ state: "submitting", task_id: null, quote_credits: 90 }),
    ]);
    const after = await t.store.findByClientRequestId("local", "wal-1");
    expect(after).toMatchObject({ state: "created", task_id: createdTasks(t)[0]?.id });
  });

  it("a create refused by Rivya clears its intent and costs nothing", async () => {
    const t = await harness({ sim: { startingCredits: 10 } });
    const r = await t.call("generate_video", { model: "kling-3-0", prompt: "Too poor" });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain("insufficient_credits");
    expect(await t.store.list("local", 10)).toEqual([]);
    expect(await t.store.spentSince("local", new Date(0))).toBe(0);
  });

  it("a dropped reply leaves the request listed as submitting; a retry settles it, charged once", async () => {
    const t = await harness({ sim: { faults: { dropAfterAccept: 1 } } });
    const args = { model: "kling-3-0", prompt: "Dropped reply", client_request_id: "drop-1" };
    const first = await t.call("generate_video", args);
    expect(first.isError).toBe(true);
    expect(textOf(first)).toContain('client_request_id "drop-1"');
    expect(textOf(first)).toContain("outcome unknown");
    expect(createdTasks(t)).toHaveLength(1);

    const listed = out(await t.call("get_task"));
    expect(listed.recent_tasks).toEqual([
      expect.objectContaining({ status: "submitting", client_request_id: "drop-1", task_id: null }),
    ]);
    const byId = await t.call("get_task", { task_id: "drop-1" });
    expect(textOf(byId)).toContain("outcome unknown");

    t.sim.setFaults({ dropAfterAccept: 0 });
    const retried = out(await t.call("generate_video", args));
    expect(retried.task.task_id).toBe(createdTasks(t)[0]?.id);
    expect(createdTasks(t)).toHaveLength(1);
    expect(t.sim.stats().creditsCharged).toBe(90);
    expect(out(await t.call("get_task")).recent_tasks[0].status).not.toBe("submitting");
  });
});

describe("finding 4: creates with an unknown outcome count against the budget", () => {
  it("open intents are counted at their quote, so dropped replies cannot overspend", async () => {
    const t = await harness({
      config: { dailyBudget: 200 },
      sim: { faults: { dropAfterAccept: 1 } },
    });
    const results = [];
    for (const n of [1, 2, 3, 4]) {
      results.push(await t.call("generate_video", { model: "kling-3-0", prompt: `drop ${n}` }));
    }
    expect(results.every((r) => r.isError)).toBe(true);
    // Two intents of 90 fit in 200; the third and fourth are refused before any create.
    expect(textOf(results[2] as never)).toContain("only 20 of today's budget of 200 are left");
    expect(createdTasks(t)).toHaveLength(2);
    expect(t.sim.stats().creditsCharged).toBeLessThanOrEqual(200);
  });
});

describe("finding 2: a cancelled call is never charged", () => {
  it("(a) cancelled while waiting to record its intent: not submitted", async () => {
    const t = await harness({ config: { dailyBudget: 1000 } });
    const openIntent = t.store.openIntent.bind(t.store);
    let release = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let waiting = () => {};
    const reached = new Promise<void>((r) => {
      waiting = r;
    });
    t.store.openIntent = async (entry, check) => {
      waiting();
      await gate; // another call holds the budget lock
      return openIntent(entry, check);
    };
    const controller = new AbortController();
    const call = t.mcp.callTool(
      { name: "generate_video", arguments: { model: "kling-3-0", prompt: "Cancel me" } },
      undefined,
      { signal: controller.signal },
    );
    await reached;
    controller.abort();
    await expect(call).rejects.toThrow();
    release();
    await new Promise((r) => setTimeout(r, 200));
    expect(createdTasks(t)).toHaveLength(0);
    expect(await t.store.list("local", 10)).toEqual([]);
  });

  it("(b) cancelled while the person is being asked, even with confirm: true: not submitted", async () => {
    const t = await harness({ config: { confirmAbove: 100 }, capabilities: { elicitation: {} } });
    const controller = new AbortController();
    t.mcp.setRequestHandler(ElicitRequestSchema, async () => {
      controller.abort();
      return new Promise(() => {}); // the person never answers
    });
    const call = t.mcp.callTool(
      {
        name: "generate_video",
        arguments: { model: "kling-v2-1-master", prompt: "Asked then cancelled", confirm: true },
      },
      undefined,
      { signal: controller.signal },
    );
    await expect(call).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 200));
    expect(createdTasks(t)).toHaveLength(0);
    expect(t.sim.balance(t.apiKey)).toBe(1000);
  });
});

describe("finding 8: wait_seconds bounds the call", () => {
  it("a status read that never answers is cut at the wait's end and the task id returned", async () => {
    const t = await harness();
    const aborted: boolean[] = [];
    t.client.getGeneration = (_id, o) =>
      new Promise<RivyaTask>((_resolve, reject) => {
        o?.signal?.addEventListener("abort", () => {
          aborted.push(true);
          reject(o.signal?.reason);
        });
      });
    const r = await t.call("generate_video", {
      model: "kling-3-0",
      prompt: "Slow reads",
      wait_seconds: 1,
    });
    expect(r.isError, textOf(r)).toBeFalsy();
    expect(out(r).task.task_id).toBe(createdTasks(t)[0]?.id);
    expect(aborted).toEqual([true]);
  });
});

describe("finding 3: the quote is what the upstream reserves, not only the catalog price", () => {
  // An upstream that reserves per second (18 × duration) while the table states 90.
  const perSecond = {
    reserveCredits: (_model: unknown, params: Record<string, unknown>) =>
      18 * Number(params.duration ?? 5),
  };
  const long = { model: "kling-3-0", prompt: "Fifteen seconds", params: { duration: 15 } };

  it("a dearer reservation is reported, counted at once, and quoted for the next identical call", async () => {
    const t = await harness({ sim: perSecond, config: { dailyBudget: 600, confirmAbove: 100 } });
    const first = await t.call("generate_video", { ...long, max_credits: 100 });
    expect(first.isError, textOf(first)).toBeFalsy();
    expect(textOf(first)).toContain("Rivya reserved 270 credits, not the 90 quoted");
    expect(await t.store.spentSince("local", new Date(0))).toBe(270);

    // The next identical call is quoted at 270: max_credits, threshold and budget all see it.
    const capped = await t.call("generate_video", { ...long, max_credits: 100 });
    expect(textOf(capped)).toContain(
      "costs 270 Rivya credits, above max_credits 100 Rivya credits",
    );
    const dry = out(await t.call("generate_video", { ...long, dry_run: true }));
    expect(dry.cost.credits).toBe(270);
    const unconfirmed = await t.call("generate_video", long);
    expect(textOf(unconfirmed)).toContain("above the confirmation threshold of 100");
    const confirmed = await t.call("generate_video", { ...long, confirm: true });
    expect(confirmed.isError, textOf(confirmed)).toBeFalsy();
    const overBudget = await t.call("generate_video", { ...long, confirm: true });
    expect(textOf(overBudget)).toContain("only 60 of today's budget of 600 are left");
    expect(createdTasks(t)).toHaveLength(2);
    // Other settings keep their own quote.
    const short = out(
      await t.call("generate_video", { ...long, params: { duration: 5 }, dry_run: true }),
    );
    expect(short.cost.credits).toBe(90);
  });
});

describe("a task the upstream no longer knows", () => {
  it("get_task says so and shows the ledger's copy instead of blaming the id", async () => {
    const t = await harness();
    const made = out(await t.call("generate_video", { model: "kling-3-0", prompt: "Forgotten" }));
    const entry = await t.store.get("local", made.task.task_id);
    // As after a demo restart that lost the simulator's state: same ledger, unknown task.
    if (!entry) throw new Error("the ledger lost the entry");
    await t.store.put({ ...entry, id: "gen_lost", task_id: "task_lost_upstream" });
    const r = await t.call("get_task", { task_id: "task_lost_upstream" });
    expect(r.isError, textOf(r)).toBeFalsy();
    expect(textOf(r)).toContain("Rivya does not know task task_lost_upstream any more");
    expect(textOf(r)).toContain("--demo");
    expect(out(r).task.task_id).toBe("task_lost_upstream");
  });
});

describe("one client_request_id, one entry", () => {
  it("concurrent calls with the same id: one task, one ledger entry, one charge", async () => {
    const t = await harness({ sim: { faults: { latencyMs: 150 } } });
    const args = { model: "kling-3-0", prompt: "Twice at once", client_request_id: "twin-1" };
    const results = await Promise.all([1, 2, 3].map(() => t.call("generate_video", args)));
    expect(createdTasks(t)).toHaveLength(1);
    expect(t.sim.stats().creditsCharged).toBe(90);
    const entries = (await t.store.list("local", 10)).filter(
      (e) => e.client_request_id === "twin-1",
    );
    expect(entries).toHaveLength(1);
    for (const r of results) {
      if (r.isError) expect(textOf(r)).toMatch(/already submitting this request[\s\S]*in_progress/);
      else expect(out(r).task.task_id).toBe(createdTasks(t)[0]?.id);
    }
    // Once settled, a retry returns the one task.
    expect(out(await t.call("generate_video", args)).task.task_id).toBe(createdTasks(t)[0]?.id);
  });
});

describe("review: a refusal after an attempt that may have been acted on", () => {
  it("a dropped reply then a 503 keeps the intent open (the first attempt may have created it)", async () => {
    let posts = 0;
    const stub = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        if (req.method !== "POST") return res.writeHead(404).end();
        posts += 1;
        if (posts === 1) return req.socket.destroy(); // accepted, reply lost
        res.writeHead(503, { "content-type": "application/json", "retry-after": "3600" });
        res.end(JSON.stringify({ error: { code: "public_api_disabled", message: "paused" } }));
      });
    });
    await new Promise<void>((r) => stub.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
      const t = await harness({ upstreamUrl: url });
      const r = await t.call("generate_video", {
        model: "kling-3-0",
        prompt: "Maybe made",
        client_request_id: "maybe-1",
      });
      expect(r.isError).toBe(true);
      expect(textOf(r)).toContain("outcome unknown");
      expect(posts).toBe(2);
      expect(await t.store.findByClientRequestId("local", "maybe-1")).toMatchObject({
        state: "submitting",
      });
    } finally {
      stub.closeAllConnections();
      await new Promise((r) => stub.close(r));
    }
  });

  it("a refused resend never clears the intent an earlier send left open", async () => {
    const t = await harness({ sim: { faults: { dropAfterAccept: 1 } } });
    const args = { model: "kling-3-0", prompt: "Resent", client_request_id: "resend-1" };
    expect((await t.call("generate_video", args)).isError).toBe(true);
    t.sim.setFaults({ dropAfterAccept: 0, rate5xx: 1 });
    expect((await t.call("generate_video", args)).isError).toBe(true);
    expect(await t.store.findByClientRequestId("local", "resend-1")).toMatchObject({
      state: "submitting",
    });
    t.sim.setFaults({ rate5xx: 0 });
    expect(out(await t.call("generate_video", args)).task.task_id).toBe(createdTasks(t)[0]?.id);
    expect(createdTasks(t)).toHaveLength(1);
  });

  it("a dry run with an unsettled client_request_id submits nothing", async () => {
    const t = await harness({ sim: { faults: { dropAfterAccept: 1 } } });
    const args = { model: "kling-3-0", prompt: "Dry", client_request_id: "dry-1" };
    expect((await t.call("generate_video", args)).isError).toBe(true);
    t.sim.setFaults({ dropAfterAccept: 0 });
    const posts = () => t.sim.requests.filter((q) => q.method === "POST").length;
    const before = posts();
    const dry = await t.call("generate_video", { ...args, dry_run: true });
    expect(dry.isError, textOf(dry)).toBeFalsy();
    expect(out(dry).submitted).toBe(false);
    expect(posts()).toBe(before);
  });
});
