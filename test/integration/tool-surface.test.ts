/**
 * What the agent sends is what it gets: settings echoed with defaults filled in, the
 * finished video as a resource_link, long waits shortened with a note, and the protocol
 * facts (capabilities, unknown tools, a missing key) told as they are.
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { createdTasks, harnessPerTest, structuredOf, textOf } from "../helpers/harness.js";

const harness = harnessPerTest();
const natural = { duration: 10, sound: true, aspect_ratio: "9:16" };
const request = { model: "kling-3-0", prompt: "A fox in snow", params: natural };
const LINE = "kling-3-0 · pro · multi shots off · 10 s · sound on · 9:16 · 90 credits";
const EFFECTIVE = { mode: "pro", multi_shots: false, ...natural };

const linksOf = (r: CallToolResult) => r.content.filter((c) => c.type === "resource_link");

describe("generate_video says what will be made", () => {
  it("a dry run, a submit and a replay all state the effective settings", async () => {
    const t = await harness();
    const dry = await t.call("generate_video", { ...request, dry_run: true });
    const submitted = await t.call("generate_video", { ...request, client_request_id: "fox-1" });
    const replayed = await t.call("generate_video", { ...request, client_request_id: "fox-1" });
    for (const r of [dry, submitted, replayed]) {
      expect(r.isError, textOf(r)).toBeFalsy();
      expect(textOf(r)).toContain(LINE);
      expect(structuredOf(r).settings).toEqual(EFFECTIVE);
    }
    expect(structuredOf(replayed).replayed).toBe(true);
    expect(createdTasks(t)).toHaveLength(1);
  });

  it("settings sent at the top level are refused before anything is paid", async () => {
    const t = await harness();
    const r = await t.call("generate_video", { model: "kling-3-0", prompt: "x", ...natural });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain(
      'duration is a kling-3-0 setting: send it inside params, e.g. params: {"duration": 10}',
    );
    expect(t.sim.stats()).toMatchObject({ tasksCreated: 0, creditsCharged: 0 });
  });
});

describe("a finished video comes as a resource_link", () => {
  it("generate_video that waited to the end links the video URL; text stays first", async () => {
    const t = await harness();
    const r = await t.call("generate_video", { ...request, wait_seconds: 5 });
    const view = structuredOf(r).task;
    expect(view.status).toBe("succeeded");
    expect(r.content[0]?.type).toBe("text");
    expect(linksOf(r)).toEqual([
      expect.objectContaining({ uri: view.video_url, mimeType: "video/mp4" }),
    ]);
  });

  it("get_task links nothing while the task is unfinished", async () => {
    const t = await harness({ sim: { queuedMs: 5000, processingMs: 5000 } });
    const id = structuredOf(await t.call("generate_video", request)).task.task_id;
    const r = await t.call("get_task", { task_id: id });
    expect(structuredOf(r).task.done).toBe(false);
    expect(linksOf(r)).toEqual([]);
  });

  it("get_task links the saved file once downloaded", async () => {
    const t = await harness();
    const done = await t.call("generate_video", { ...request, wait_seconds: 5 });
    const r = await t.call("get_task", {
      task_id: structuredOf(done).task.task_id,
      download: true,
    });
    const [link] = linksOf(r);
    expect(link).toMatchObject({ mimeType: "video/mp4" });
    const path = fileURLToPath((link as { uri: string }).uri);
    expect(path).toBe(structuredOf(r).saved_path);
    expect((await readFile(path)).length).toBeGreaterThan(0);
  });
});

describe("wait_seconds above the cap", () => {
  it("is waited up to the cap with a note, by both tools, and returns the task", async () => {
    const t = await harness();
    const r = await t.call("generate_video", { ...request, wait_seconds: 120 });
    expect(r.isError, textOf(r)).toBeFalsy();
    const out = structuredOf(r);
    expect(out.task.status).toBe("succeeded"); // it did wait: the task finished meanwhile
    expect(out.wait_note).toContain("wait_seconds 120 is above the 45 s");
    expect(textOf(r)).toContain("wait_seconds 120 is above the 45 s");

    const got = await t.call("get_task", { task_id: out.task.task_id, wait_seconds: 90 });
    expect(got.isError, textOf(got)).toBeFalsy();
    expect(structuredOf(got).wait_note).toContain("wait_seconds 90 is above the 45 s");
  });
});

describe("refusals that point the right way", () => {
  it("above the threshold: confirmation_required, retryable once the person agreed", async () => {
    const t = await harness({ config: { confirmAbove: 50 } });
    const r = await t.call("generate_video", request);
    expect(textOf(r)).toContain("[category: confirmation_required; retryable: true]");
    expect(createdTasks(t)).toHaveLength(0);
  });

  it("with no key set, the key is named as missing on this server", async () => {
    const t = await harness({ apiKey: "" });
    const r = await t.call("generate_video", request);
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain("RIVYA_API_KEY is not set on this server");
    expect(textOf(r)).not.toContain("refused");
  });
});

describe("protocol facts", () => {
  it("initialize advertises tools.listChanged: false", async () => {
    const t = await harness();
    expect(t.mcp.getServerCapabilities()?.tools).toEqual({ listChanged: false });
  });

  it("an unknown tool is a JSON-RPC -32602 error, not a tool result", async () => {
    const t = await harness();
    await expect(t.call("make_video", {})).rejects.toMatchObject({
      code: -32602,
      message: expect.stringContaining("Unknown tool 'make_video'"),
    });
  });

  it("progress says a finished task 'succeeded after N s', never 'is succeeded'", async () => {
    const t = await harness();
    const progress: string[] = [];
    await t.mcp.callTool(
      { name: "generate_video", arguments: { ...request, wait_seconds: 5 } },
      undefined,
      { onprogress: (p) => progress.push(p.message ?? "") },
    );
    expect(progress.at(-1)).toMatch(/^Task \S+ succeeded after \d+ s$/);
    expect(progress.join("\n")).not.toContain("is succeeded");
  });

  it("descriptions state the threshold and the daily budget in force", async () => {
    const t = await harness({ config: { confirmAbove: 120, dailyBudget: 500 } });
    const { tools } = await t.mcp.listTools();
    const generate = tools.find((x) => x.name === "generate_video")?.description ?? "";
    expect(generate).toContain("Above 120 credits");
    expect(generate).toContain("daily budget 500 credits");
  });

  it("a budget in dollars (several providers keyed) says so", async () => {
    const config = {
      budgetInUsd: true,
      usdPerCredit: { rivya: 0.01, evolink: 1 / 72 },
      dailyBudget: 5,
    };
    const t = await harness({ config });
    const { tools } = await t.mcp.listTools();
    const generate = tools.find((x) => x.name === "generate_video")?.description ?? "";
    expect(generate).toContain("daily budget $5.00 (US dollars, all providers together)");
  });

  it("without a budget the description says there is none", async () => {
    const t = await harness();
    const { tools } = await t.mcp.listTools();
    const generate = tools.find((x) => x.name === "generate_video")?.description ?? "";
    expect(generate).toContain("Above 1000 credits");
    expect(generate).toContain("no daily budget");
  });
});
