/**
 * EvoLink's result links stop working 24 h after the task: on the simulator's clock, a video
 * finished 23 h ago is saved the first time the server sees it finished (stdio mode); one
 * whose link has expired says so and points to the saved copy, or to the task.
 */
import { readdir, readFile } from "node:fs/promises";
import { afterEach, expect, it } from "vitest";
import { type Harness, startHarness, structuredOf, textOf } from "../helpers/harness.js";

const HOUR = 3_600_000;
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/**
 * A task created `ageHours` ago on the simulator's clock, which then catches up with the real
 * one: the server judges links by real time, as it would against EvoLink itself.
 */
async function taskAged(ageHours: number, autoSave: boolean) {
  let now = Date.now() - ageHours * HOUR;
  h = await startHarness({
    evolink: { now: () => now, pendingMs: 10, processingMs: 20 },
    config: { autoSave },
  });
  const generate = await h.call("generate_video", {
    model: "kling-v3-text-to-video",
    prompt: "a lantern on a jetty",
  });
  expect(generate.isError, textOf(generate)).toBeFalsy();
  now = Date.now();
  return { h, taskId: structuredOf(generate).task.task_id as string };
}

it("a video finished 23 h ago is saved when first seen, and get_task says when its link ends", async () => {
  const { h: t, taskId } = await taskAged(23, true);
  const seen = await t.call("get_task", { task_id: taskId });
  const out = structuredOf(seen);
  expect(out.task).toMatchObject({ status: "succeeded", links_expire_at: expect.any(String) });
  expect(out.saved_path).toMatch(/\.mp4$/);
  expect((await readFile(out.saved_path)).byteLength).toBeGreaterThan(0);
  expect(textOf(seen)).toContain(out.saved_path);
});

it("a link that expired before anyone saved the video says so and points to the task", async () => {
  const { h: t, taskId } = await taskAged(26, true);
  const late = await t.call("get_task", { task_id: taskId });
  const out = structuredOf(late);
  expect(out.saved_path).toBeUndefined();
  expect(textOf(late)).toMatch(/expired|no longer/i);
  expect(textOf(late)).toContain(taskId);
  expect(late.content.some((c) => c.type === "resource_link")).toBe(false);
  // Nothing was fetched from the dead link and saved.
  expect(await readdir(t.config.outputDir).catch(() => [])).toEqual([]);
});

it("with auto-save off nothing is written; a link near its end says how to keep the video", async () => {
  const { h: t, taskId } = await taskAged(23, false);
  const seen = await t.call("get_task", { task_id: taskId });
  expect(structuredOf(seen).saved_path).toBeUndefined();
  expect(await readdir(t.config.outputDir).catch(() => [])).toEqual([]);
  expect(textOf(seen)).toMatch(/download: true/);
});
