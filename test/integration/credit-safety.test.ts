import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { createdTasks, harnessPerTest, structuredOf, textOf } from "../helpers/harness.js";

const harness = harnessPerTest();
const out = structuredOf;
const master = { model: "kling-v2-1-master", prompt: "A lighthouse in a storm" };

describe("spend confirmation above the threshold", () => {
  it("asks the person through elicitation, with model, cost and balance; accept submits", async () => {
    const t = await harness({ config: { confirmAbove: 100 }, capabilities: { elicitation: {} } });
    const asked: string[] = [];
    t.mcp.setRequestHandler(ElicitRequestSchema, async (req) => {
      asked.push(req.params.message);
      return { action: "accept", content: { approve: true } };
    });
    const r = await t.call("generate_video", master);
    expect(r.isError, textOf(r)).toBeFalsy();
    expect(asked).toHaveLength(1);
    expect(asked[0]).toContain("Kling V2.1 Master");
    expect(asked[0]).toContain("160 Rivya credits");
    expect(asked[0]).toContain("balance: 1000");
    expect(createdTasks(t)).toHaveLength(1);
  });

  it("a decline spends nothing", async () => {
    const t = await harness({ config: { confirmAbove: 100 }, capabilities: { elicitation: {} } });
    t.mcp.setRequestHandler(ElicitRequestSchema, async () => ({ action: "decline" }));
    const r = await t.call("generate_video", { ...master, confirm: true });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain("declined. Nothing was spent");
    expect(createdTasks(t)).toHaveLength(0);
    expect(t.sim.balance(t.apiKey)).toBe(1000);
  });

  it("without elicitation the call must carry confirm: true, and the error says so", async () => {
    const t = await harness({ config: { confirmAbove: 100 } });
    const refused = await t.call("generate_video", master);
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toContain("call again with confirm: true");
    expect(textOf(refused)).toContain("160 Rivya credits");
    expect(createdTasks(t)).toHaveLength(0);
    const ok = await t.call("generate_video", { ...master, confirm: true });
    expect(ok.isError, textOf(ok)).toBeFalsy();
    expect(createdTasks(t)).toHaveLength(1);
  });

  it("a client whose question fails counts as one that cannot ask: confirm: true is needed", async () => {
    const t = await harness({ config: { confirmAbove: 100 }, capabilities: { elicitation: {} } });
    t.mcp.setRequestHandler(ElicitRequestSchema, async () => {
      throw new Error("no UI available");
    });
    const refused = await t.call("generate_video", master);
    expect(textOf(refused)).toContain("call again with confirm: true");
    expect(createdTasks(t)).toHaveLength(0);
    const ok = await t.call("generate_video", { ...master, confirm: true });
    expect(ok.isError, textOf(ok)).toBeFalsy();
  });

  it("below the threshold there is no friction", async () => {
    const t = await harness({ config: { confirmAbove: 100 }, capabilities: { elicitation: {} } });
    let asked = 0;
    t.mcp.setRequestHandler(ElicitRequestSchema, async () => {
      asked += 1;
      return { action: "accept", content: { approve: true } };
    });
    const r = await t.call("generate_video", { model: "kling-3-0", prompt: "Cheap enough" });
    expect(r.isError).toBeFalsy();
    expect(asked).toBe(0);
  });
});

describe("daily budget", () => {
  it("refuses at the cap, says what is left and when it resets, and a refund restores it", async () => {
    const t = await harness({ config: { dailyBudget: 200 } });
    const first = out(
      await t.call("generate_video", { model: "kling-3-0", prompt: "one [sim:fail]" }),
    );
    await t.call("generate_video", { model: "kling-3-0", prompt: "two" });
    const refused = await t.call("generate_video", { model: "kling-3-0", prompt: "three" });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toContain("only 20 of today's budget of 200 are left");
    expect(textOf(refused)).toMatch(/resets at \d{4}-\d{2}-\d{2}T00:00:00.000Z/);
    expect(createdTasks(t)).toHaveLength(2);
    // The first task fails; once get_task has seen it, its 90 credits count back.
    await t.call("get_task", { task_id: first.task.task_id, wait_seconds: 5 });
    const third = await t.call("generate_video", { model: "kling-3-0", prompt: "three" });
    expect(third.isError, textOf(third)).toBeFalsy();
    expect(createdTasks(t)).toHaveLength(3);
  });
});

describe("daily budget under concurrency", () => {
  it("two simultaneous calls cannot both spend the same remaining budget", async () => {
    const t = await harness({ config: { dailyBudget: 100 } });
    const results = await Promise.all(
      ["a", "b", "c"].map((n) =>
        t.call("generate_video", { model: "kling-3-0", prompt: `race ${n}` }),
      ),
    );
    expect(results.filter((r) => !r.isError)).toHaveLength(1);
    expect(createdTasks(t)).toHaveLength(1);
  });
});

describe("cancellation", () => {
  it("stops upstream polling at once; the task stays in the ledger and get_task shows it", async () => {
    const t = await harness({ sim: { queuedMs: 10_000, processingMs: 10_000 } });
    const controller = new AbortController();
    const call = t.mcp.callTool(
      {
        name: "generate_video",
        arguments: { model: "kling-3-0", prompt: "Long one", wait_seconds: 30 },
      },
      undefined,
      { signal: controller.signal, onprogress: () => controller.abort() },
    );
    await expect(call).rejects.toThrow();
    const polls = () =>
      t.sim.requests.filter((r) => r.method === "GET" && r.path.startsWith("/api/v1/generations/"))
        .length;
    const atCancel = polls();
    expect(atCancel).toBe(1); // the poll whose progress triggered the cancel
    await new Promise((r) => setTimeout(r, 400)); // several poll intervals (60 ms in tests)
    expect(polls()).toBe(atCancel);
    const listed = out(await t.call("get_task"));
    expect(listed.recent_tasks).toHaveLength(1);
    expect(listed.recent_tasks[0].task_id).toBe(createdTasks(t)[0]?.id);
  });
});

describe("nothing is lost", () => {
  it("a ledger that cannot be written does not hide the task id of a paid task", async () => {
    const t = await harness();
    t.store.put = async () => {
      throw new Error("disk full");
    };
    const r = await t.call("generate_video", { model: "kling-3-0", prompt: "Still mine" });
    expect(r.isError, textOf(r)).toBeFalsy();
    expect(out(r).task.task_id).toBe(createdTasks(t)[0]?.id);
  });
});
